# One service account per function, each with only what it needs.
resource "google_service_account" "fn" {
  for_each     = merge(local.http_functions, local.firestore_functions)
  account_id   = "skyfed-${lower(replace(each.key, "/([A-Z])/", "-$1"))}"
  display_name = "skyfed ${each.key} function"
}

resource "google_service_account" "scheduler" {
  account_id   = "skyfed-scheduler"
  display_name = "skyfed Cloud Scheduler caller"
}

resource "google_service_account" "trigger" {
  account_id   = "skyfed-eventarc"
  display_name = "skyfed Eventarc trigger identity"
}

# Every function reads and writes Firestore.
resource "google_project_iam_member" "firestore_user" {
  for_each = google_service_account.fn
  project  = var.project_id
  role     = "roles/datastore.user"
  member   = "serviceAccount:${each.value.email}"
}

# The API seals credentials; the controllers and the sweep open them.
resource "google_kms_crypto_key_iam_member" "credentials" {
  for_each      = google_service_account.fn
  crypto_key_id = google_kms_crypto_key.credentials.id
  role          = each.key == "api" ? "roles/cloudkms.cryptoKeyEncrypter" : (each.key == "onSecretWritten" ? "roles/cloudkms.cryptoKeyDecrypter" : "roles/cloudkms.cryptoKeyEncrypterDecrypter")
  member        = "serviceAccount:${each.value.email}"
}

# Only the sweep changes DNS.
resource "google_project_iam_member" "sweep_dns_admin" {
  count   = var.dns_provider == "clouddns" ? 1 : 0
  project = var.project_id
  role    = "roles/dns.admin"
  member  = "serviceAccount:${google_service_account.fn["healthSweep"].email}"
}

resource "google_secret_manager_secret_iam_member" "sweep_route53" {
  count     = var.dns_provider == "route53" ? 1 : 0
  secret_id = google_secret_manager_secret.route53[0].id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.fn["healthSweep"].email}"
}

# Functions that ask for an immediate sweep after a change (Cloud Scheduler runJob).
resource "google_cloud_scheduler_job_iam_member" "run_sweep" {
  for_each = toset(["onServiceWritten", "onClusterWritten"])
  project  = var.project_id
  region   = var.region
  name     = google_cloud_scheduler_job.job["healthSweep"].name
  role     = "roles/cloudscheduler.jobRunner"
  member   = "serviceAccount:${google_service_account.fn[each.key].email}"
}

resource "google_project_iam_member" "trigger_receiver" {
  project = var.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = "serviceAccount:${google_service_account.trigger.email}"
}

# Who may call what: the API by var.api_invokers only; scheduled functions by the scheduler only;
# triggered functions by their Eventarc identity only.
resource "google_cloud_run_service_iam_member" "api_invokers" {
  for_each = toset(var.api_invokers)
  location = var.region
  service  = google_cloudfunctions2_function.http["api"].service_config[0].service
  role     = "roles/run.invoker"
  member   = each.value
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
