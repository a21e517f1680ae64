locals {
  # One entry per function target in functions/targets.ts (test/unit/terraform checks they agree).
  http_functions = {
    api         = { timeout = 60, scheduled = false, public = true }
    reconcile   = { timeout = 540, scheduled = true, public = false }
    healthSweep = { timeout = 540, scheduled = true, public = false }
  }
  firestore_functions = {
    onServiceWritten = { document = "namespaces/{namespace}/services/{service}" }
    onClusterWritten = { document = "clusters/{cluster}" }
    onSecretWritten  = { document = "namespaces/{namespace}/secrets/{secret}" }
  }
  schedules = {
    reconcile   = var.reconcile_schedule
    healthSweep = var.sweep_schedule
  }
  sweep_job = "projects/${var.project_id}/locations/${var.region}/jobs/skyfed-healthSweep"

  # Firestore multi-regions are served by one Eventarc region each; single regions by themselves.
  firestore_trigger_regions = { nam5 = "us-central1", eur3 = "europe-west4" }
  trigger_region            = lookup(local.firestore_trigger_regions, var.firestore_location, var.firestore_location)

  # With bearer tokens the API is public at Cloud Run (kubectl cannot send both a Google ID token and
  # an app token) and skyfed checks every token itself; without, Cloud Run IAM admits only
  # var.api_invokers and skyfed trusts it.
  api_public = var.api_tokens_secret != ""

  route53_keyless = var.dns_provider == "route53" && var.route53_role_arn != ""
  route53_static  = var.dns_provider == "route53" && var.route53_credentials_secret != ""

  common_env = {
    SKYFED_PROJECT            = var.project_id
    SKYFED_FEDERATION         = var.federation_name
    SKYFED_DNS_SUFFIX         = var.dns_suffix
    SKYFED_DNS_PROVIDER       = var.dns_provider
    SKYFED_DNS_ZONE           = var.dns_provider == "clouddns" ? var.dns_managed_zone : var.route53_hosted_zone_id
    SKYFED_DNS_TTL            = tostring(var.dns_ttl)
    SKYFED_KMS_KEY            = google_kms_crypto_key.credentials.id
    SKYFED_TRUST_IAM          = tostring(!local.api_public)
    SKYFED_MEMBER_TIMEOUT_MS  = tostring(var.member_timeout_ms)
    SKYFED_PROBE_TIMEOUT_MS   = tostring(var.probe_timeout_ms)
    SKYFED_SWEEP_ROUNDS       = tostring(var.sweep_rounds)
    SKYFED_SWEEP_JOB          = local.sweep_job
    METADATA_SERVER_DETECTION = "assume-present"
  }
  # Only the sweep talks to Route 53: keyless (its own Google ID token for an AWS role) or a mounted
  # credentials file.
  sweep_env = merge(
    var.dns_provider == "route53" ? { SKYFED_AWS_REGION = var.aws_region } : {},
    local.route53_keyless ? { SKYFED_AWS_ROLE_ARN = var.route53_role_arn, SKYFED_AWS_WEB_IDENTITY_AUDIENCE = var.route53_audience } : {},
    local.route53_static ? { AWS_SHARED_CREDENTIALS_FILE = "/aws/credentials" } : {},
  )
}

resource "google_project_service" "apis" {
  for_each = toset(concat([
    "cloudresourcemanager.googleapis.com",
    "iam.googleapis.com",
    "cloudfunctions.googleapis.com",
    "run.googleapis.com",
    "cloudbuild.googleapis.com",
    "artifactregistry.googleapis.com",
    "logging.googleapis.com",
    "pubsub.googleapis.com",
    "eventarc.googleapis.com",
    "firestore.googleapis.com",
    "cloudscheduler.googleapis.com",
    "cloudkms.googleapis.com",
    "storage.googleapis.com",
    ], var.dns_provider == "clouddns" ? ["dns.googleapis.com"] : [],
  local.route53_static || local.api_public ? ["secretmanager.googleapis.com"] : []))
  service            = each.value
  disable_on_destroy = false
}

# The (default) database outlives the module: Firestore keeps it after a destroy, and a second create
# fails. prevent_destroy makes a destroy stop here instead (docs/DEPLOY.md, "Tearing down").
resource "google_firestore_database" "default" {
  name            = "(default)"
  location_id     = var.firestore_location
  type            = "FIRESTORE_NATIVE"
  deletion_policy = "ABANDON"
  depends_on      = [google_project_service.apis]

  lifecycle {
    prevent_destroy = true
  }
}

resource "google_dns_managed_zone" "skyfed" {
  count       = var.dns_provider == "clouddns" && var.create_dns_zone ? 1 : 0
  name        = var.dns_managed_zone
  dns_name    = "${var.dns_suffix}."
  description = "Service names published by skyfed"
  depends_on  = [google_project_service.apis]
}

data "google_project" "this" {
  project_id = var.project_id
  depends_on = [google_project_service.apis]
}
