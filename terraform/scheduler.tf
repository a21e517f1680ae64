resource "google_cloud_scheduler_job" "job" {
  for_each = { for k, v in local.http_functions : k => v if v.scheduled }
  name     = "skyfed-${each.key}"
  region   = var.region
  schedule = local.schedules[each.key]

  # Cloud Scheduler never runs two copies of one job at once; a long sweep delays the next.
  attempt_deadline = "${local.http_functions[each.key].timeout}s"

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.http[each.key].service_config[0].uri
    body        = base64encode("{}")
    headers     = { "Content-Type" = "application/json" }

    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = google_cloudfunctions2_function.http[each.key].service_config[0].uri
    }
  }

  depends_on = [google_project_service.apis]
}
