output "api_url" {
  description = "HTTPS URL of the Kubernetes-shaped API (the kubeconfig server)."
  value       = google_cloudfunctions2_function.http["api"].service_config[0].uri
}

output "kubeconfig" {
  description = "A kubeconfig for kubectl, context federation-cluster. With Cloud Run IAM it gets a Google ID token from gcloud through an exec credential plugin; with bearer tokens, set yours with `kubectl config set-credentials federation-cluster --token=…`."
  value = yamlencode({
    apiVersion        = "v1"
    kind              = "Config"
    "current-context" = "federation-cluster"
    clusters = [{
      name    = "federation-cluster"
      cluster = { server = google_cloudfunctions2_function.http["api"].service_config[0].uri }
    }]
    contexts = [{ name = "federation-cluster", context = { cluster = "federation-cluster", user = "federation-cluster" } }]
    # Through YAML text: the two user entries are objects of different types.
    users = [yamldecode(local.api_public ? yamlencode(local.token_user) : yamlencode(local.gcloud_user))]
  })
}

locals {
  token_user = { name = "federation-cluster", user = { token = "SET-WITH-kubectl-config-set-credentials" } }
  gcloud_user = {
    name = "federation-cluster"
    user = {
      exec = {
        apiVersion      = "client.authentication.k8s.io/v1"
        command         = "sh"
        args            = ["-c", "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%s\"}}' \"$(gcloud auth print-identity-token)\""]
        interactiveMode = "Never"
      }
    }
  }
}

output "function_names" {
  description = "Deployed function name of each target."
  value       = merge({ for k, f in google_cloudfunctions2_function.http : k => f.name }, { for k, f in google_cloudfunctions2_function.firestore : k => f.name })
}

output "scheduler_jobs" {
  description = "Cloud Scheduler jobs calling the scheduled functions."
  value       = { for k, j in google_cloud_scheduler_job.job : k => j.id }
}

output "service_accounts" {
  description = "Service account of each function."
  value       = { for k, sa in google_service_account.fn : k => sa.email }
}

output "credentials_kms_key" {
  description = "KMS key wrapping the data keys of member credentials."
  value       = google_kms_crypto_key.credentials.id
}

output "sweep_service_account_unique_id" {
  description = "Numeric unique id of the sweep's service account: the subject of its Google ID tokens, which the AWS role in terraform/aws trusts (var.sweep_service_account_unique_id there)."
  value       = google_service_account.fn["healthSweep"].unique_id
}

output "api_auth" {
  description = "How the API authenticates callers: iam (Cloud Run IAM, var.api_invokers) or tokens (bearer tokens from var.api_tokens_secret; Cloud Run admits everyone)."
  value       = local.api_public ? "tokens" : "iam"
}
