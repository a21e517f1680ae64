# One service account per function, each with only what its code calls. test/unit/terraform derives
# these grants from functions/ (which adapters each target's handler uses) and fails when they differ.
locals {
  function_grants = {
    api              = { project = ["roles/datastore.user"], key = ["roles/cloudkms.cryptoKeyEncrypter"] }
    reconcile        = { project = ["roles/datastore.user"], key = ["roles/cloudkms.cryptoKeyDecrypter"] }
    healthSweep      = { project = ["roles/datastore.user"], key = ["roles/cloudkms.cryptoKeyDecrypter"] }
    onServiceWritten = { project = ["roles/cloudscheduler.jobRunner", "roles/datastore.user"], key = ["roles/cloudkms.cryptoKeyDecrypter"] }
    onClusterWritten = { project = ["roles/cloudscheduler.jobRunner", "roles/datastore.user"], key = ["roles/cloudkms.cryptoKeyDecrypter"] }
    onSecretWritten  = { project = ["roles/datastore.user"], key = ["roles/cloudkms.cryptoKeyDecrypter"] }
  }
  project_grants = merge([for fn, g in local.function_grants : { for r in g.project : "${fn} ${r}" => { fn = fn, role = r } }]...)
  key_grants     = merge([for fn, g in local.function_grants : { for r in g.key : "${fn} ${r}" => { fn = fn, role = r } }]...)
  # Cloud Build for gen2 functions runs as this account (new projects no longer give it a default one).
  build_roles = ["roles/logging.logWriter", "roles/artifactregistry.writer"]
}

resource "google_service_account" "fn" {
  for_each     = merge(local.http_functions, local.firestore_functions)
  account_id   = "skyfed-${lower(replace(each.key, "/([A-Z])/", "-$1"))}"
  display_name = "skyfed ${each.key} function"
  depends_on   = [google_project_service.apis]
}

resource "google_service_account" "scheduler" {
  account_id   = "skyfed-scheduler"
  display_name = "skyfed Cloud Scheduler caller"
  depends_on   = [google_project_service.apis]
}

resource "google_service_account" "trigger" {
  account_id   = "skyfed-eventarc"
  display_name = "skyfed Eventarc trigger identity"
  depends_on   = [google_project_service.apis]
}

resource "google_service_account" "build" {
  account_id   = "skyfed-build"
  display_name = "skyfed function builds"
  depends_on   = [google_project_service.apis]
}

resource "google_project_iam_member" "function" {
  for_each = local.project_grants
  project  = var.project_id
  role     = each.value.role
  member   = "serviceAccount:${google_service_account.fn[each.value.fn].email}"
}

resource "google_kms_crypto_key_iam_member" "function" {
  for_each      = local.key_grants
  crypto_key_id = google_kms_crypto_key.credentials.id
  role          = each.value.role
  member        = "serviceAccount:${google_service_account.fn[each.value.fn].email}"
}

# The sweep changes records in its one managed zone, nowhere else.
resource "google_dns_managed_zone_iam_member" "sweep" {
  count        = var.dns_provider == "clouddns" ? 1 : 0
  project      = var.project_id
  managed_zone = var.create_dns_zone ? google_dns_managed_zone.skyfed[0].name : var.dns_managed_zone
  role         = "roles/dns.admin"
  member       = "serviceAccount:${google_service_account.fn["healthSweep"].email}"
  depends_on   = [google_project_service.apis]
}

resource "google_project_iam_member" "build" {
  for_each = toset(local.build_roles)
  project  = var.project_id
  role     = each.value
  member   = "serviceAccount:${google_service_account.build.email}"
}

resource "google_storage_bucket_iam_member" "build_reads_source" {
  bucket = google_storage_bucket.source.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.build.email}"
}

resource "google_project_iam_member" "trigger_receiver" {
  project = var.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = "serviceAccount:${google_service_account.trigger.email}"
}

# Eventarc delivers through Pub/Sub push with an OIDC token; projects whose Pub/Sub service agent
# predates April 2021 need it to hold the token creator role (harmless for newer ones).
resource "google_project_iam_member" "pubsub_token_creator" {
  project    = var.project_id
  role       = "roles/iam.serviceAccountTokenCreator"
  member     = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
  depends_on = [google_project_service.apis]
}

# Who may call what: the API by var.api_invokers only (or anyone, when skyfed checks bearer tokens
# itself); scheduled functions by the scheduler only; triggered functions by their Eventarc identity.
resource "google_cloud_run_service_iam_member" "api_invokers" {
  for_each = toset(local.api_public ? [] : var.api_invokers)
  location = var.region
  service  = google_cloudfunctions2_function.http["api"].service_config[0].service
  role     = "roles/run.invoker"
  member   = each.value
}

resource "google_cloud_run_service_iam_member" "api_public" {
  count    = local.api_public ? 1 : 0
  location = var.region
  service  = google_cloudfunctions2_function.http["api"].service_config[0].service
  role     = "roles/run.invoker"
  member   = "allUsers"
}

resource "google_cloud_run_service_iam_member" "scheduler_invokes" {
  for_each = { for k, v in local.http_functions : k => v if v.scheduled }
  location = var.region
  service  = google_cloudfunctions2_function.http[each.key].service_config[0].service
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.scheduler.email}"
}

resource "google_cloud_run_service_iam_member" "trigger_invokes" {
  for_each = local.firestore_functions
  location = var.region
  service  = google_cloudfunctions2_function.firestore[each.key].service_config[0].service
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.trigger.email}"
}
