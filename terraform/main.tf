locals {
  # One entry per function target in functions/targets.ts (test/unit/terraform checks they agree).
  http_functions = {
    api         = { timeout = 60, scheduled = false }
    reconcile   = { timeout = 540, scheduled = true }
    healthSweep = { timeout = 540, scheduled = true }
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

  common_env = {
    SKYFED_PROJECT            = var.project_id
    SKYFED_FEDERATION         = var.federation_name
    SKYFED_DNS_SUFFIX         = var.dns_suffix
    SKYFED_DNS_PROVIDER       = var.dns_provider
    SKYFED_DNS_ZONE           = var.dns_provider == "clouddns" ? var.dns_managed_zone : var.route53_hosted_zone_id
    SKYFED_DNS_TTL            = tostring(var.dns_ttl)
    SKYFED_AWS_REGION         = var.aws_region
    SKYFED_KMS_KEY            = google_kms_crypto_key.credentials.id
    SKYFED_TRUST_IAM          = "true"
    SKYFED_MEMBER_TIMEOUT_MS  = tostring(var.member_timeout_ms)
    SKYFED_PROBE_TIMEOUT_MS   = tostring(var.probe_timeout_ms)
    SKYFED_SWEEP_ROUNDS       = tostring(var.sweep_rounds)
    SKYFED_SWEEP_JOB          = local.sweep_job
    METADATA_SERVER_DETECTION = "assume-present"
  }
}

resource "google_project_service" "apis" {
  for_each = toset(concat([
    "cloudfunctions.googleapis.com",
    "run.googleapis.com",
    "cloudbuild.googleapis.com",
    "artifactregistry.googleapis.com",
    "eventarc.googleapis.com",
    "firestore.googleapis.com",
    "cloudscheduler.googleapis.com",
    "cloudkms.googleapis.com",
    "secretmanager.googleapis.com",
    "iam.googleapis.com",
    "storage.googleapis.com",
  ], var.dns_provider == "clouddns" ? ["dns.googleapis.com"] : []))
  service            = each.value
  disable_on_destroy = false
}

resource "google_firestore_database" "default" {
  name        = "(default)"
  location_id = var.firestore_location
  type        = "FIRESTORE_NATIVE"
  depends_on  = [google_project_service.apis]
}

resource "google_dns_managed_zone" "skyfed" {
  count       = var.dns_provider == "clouddns" && var.create_dns_zone ? 1 : 0
  name        = var.dns_managed_zone
  dns_name    = "${var.dns_suffix}."
  description = "Service names published by skyfed"
  depends_on  = [google_project_service.apis]
}
