# Envelope encryption of member credentials: each Secret gets its own data key, wrapped by this
# KMS key (the key never leaves KMS; rotation re-wraps lazily, old versions still decrypt).
resource "google_kms_key_ring" "skyfed" {
  name       = "skyfed"
  location   = var.region
  depends_on = [google_project_service.apis]
}

resource "google_kms_crypto_key" "credentials" {
  name            = "member-credentials"
  key_ring        = google_kms_key_ring.skyfed.id
  rotation_period = "7776000s"
  purpose         = "ENCRYPT_DECRYPT"
}

resource "google_secret_manager_secret" "route53" {
  count     = var.dns_provider == "route53" ? 1 : 0
  secret_id = var.route53_credentials_secret != "" ? var.route53_credentials_secret : "skyfed-route53-credentials"
  replication {
    auto {}
  }
  depends_on = [google_project_service.apis]
}
