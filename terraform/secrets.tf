# Envelope encryption of member credentials: each Secret gets its own data key, wrapped by this
# KMS key (the key never leaves KMS; rotation re-wraps lazily, old versions still decrypt).
# Key rings cannot be deleted, and destroying the key destroys its versions and with them every
# sealed credential: both refuse to be destroyed.
resource "google_kms_key_ring" "skyfed" {
  name       = "skyfed"
  location   = var.region
  depends_on = [google_project_service.apis]

  lifecycle {
    prevent_destroy = true
  }
}

resource "google_kms_crypto_key" "credentials" {
  name            = "member-credentials"
  key_ring        = google_kms_key_ring.skyfed.id
  rotation_period = "7776000s"
  purpose         = "ENCRYPT_DECRYPT"

  lifecycle {
    prevent_destroy = true
  }
}

# Route 53 with static keys (the fallback to keyless, see terraform/aws): a secret you created and
# filled beforehand with an AWS credentials file. Read here only to fail the plan when it is missing.
data "google_secret_manager_secret" "route53" {
  count      = local.route53_static ? 1 : 0
  secret_id  = var.route53_credentials_secret
  project    = var.project_id
  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret_iam_member" "sweep_route53" {
  count     = local.route53_static ? 1 : 0
  project   = var.project_id
  secret_id = data.google_secret_manager_secret.route53[0].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.fn["healthSweep"].email}"
}

# Bearer tokens for the API (SKYFED_API_TOKENS): Cloud Run checks at deploy time that the API's
# service account may read the secret.
resource "google_secret_manager_secret_iam_member" "api_tokens" {
  count      = local.api_public ? 1 : 0
  project    = var.project_id
  secret_id  = var.api_tokens_secret
  role       = "roles/secretmanager.secretAccessor"
  member     = "serviceAccount:${google_service_account.fn["api"].email}"
  depends_on = [google_project_service.apis]
}
