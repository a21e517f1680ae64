resource "google_cloudfunctions2_function" "http" {
  for_each = local.http_functions
  name     = "skyfed-${lower(each.key)}"
  location = var.region

  build_config {
    runtime         = "nodejs20"
    entry_point     = each.key
    service_account = google_service_account.build.id
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    available_memory      = lookup(var.function_memory, each.key, "512Mi")
    timeout_seconds       = each.value.timeout
    max_instance_count    = each.key == "api" ? 20 : 1
    ingress_settings      = each.value.public ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"
    service_account_email = google_service_account.fn[each.key].email
    environment_variables = merge(local.common_env, each.key == "healthSweep" ? local.sweep_env : {})

    dynamic "secret_volumes" {
      for_each = each.key == "healthSweep" && local.route53_static ? [1] : []
      content {
        mount_path = "/aws"
        project_id = var.project_id
        secret     = var.route53_credentials_secret
        versions {
          version = "latest"
          path    = "credentials"
        }
      }
    }

    dynamic "secret_environment_variables" {
      for_each = each.key == "api" && local.api_public ? [1] : []
      content {
        key        = "SKYFED_API_TOKENS"
        project_id = var.project_id
        secret     = var.api_tokens_secret
        version    = "latest"
      }
    }
  }

  lifecycle {
    precondition {
      # Keyless takes two applies (the AWS role trusts the sweep account this module creates), so
      # neither credential is needed on the first; both at once would be ambiguous.
      condition     = var.dns_provider != "route53" || (var.route53_hosted_zone_id != "" && !(var.route53_role_arn != "" && var.route53_credentials_secret != ""))
      error_message = "dns_provider = route53 needs route53_hosted_zone_id, and at most one of route53_role_arn (keyless, terraform/aws) or route53_credentials_secret (static keys)."
    }
  }

  # Secrets are checked at deploy time: the grants must exist before the function does.
  depends_on = [
    google_project_service.apis,
    google_firestore_database.default,
    google_secret_manager_secret_iam_member.api_tokens,
    google_secret_manager_secret_iam_member.sweep_route53,
    google_project_iam_member.build,
    google_storage_bucket_iam_member.build_reads_source,
  ]
}

resource "google_cloudfunctions2_function" "firestore" {
  for_each = local.firestore_functions
  name     = "skyfed-${lower(each.key)}"
  location = var.region

  build_config {
    runtime         = "nodejs20"
    entry_point     = each.key
    service_account = google_service_account.build.id
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    available_memory      = lookup(var.function_memory, each.key, "512Mi")
    timeout_seconds       = 300
    max_instance_count    = 10
    ingress_settings      = "ALLOW_INTERNAL_ONLY"
    service_account_email = google_service_account.fn[each.key].email
    environment_variables = local.common_env
  }

  event_trigger {
    trigger_region        = local.trigger_region
    event_type            = "google.cloud.firestore.document.v1.written"
    retry_policy          = "RETRY_POLICY_RETRY"
    service_account_email = google_service_account.trigger.email

    event_filters {
      attribute = "database"
      value     = "(default)"
    }

    event_filters {
      attribute = "document"
      value     = each.value.document
      operator  = "match-path-pattern"
    }
  }

  depends_on = [
    google_project_service.apis,
    google_firestore_database.default,
    google_project_iam_member.trigger_receiver,
    google_project_iam_member.pubsub_token_creator,
    google_project_iam_member.build,
    google_storage_bucket_iam_member.build_reads_source,
  ]
}
