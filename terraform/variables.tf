variable "project_id" {
  description = "Google Cloud project that hosts the control plane (Firestore, functions, scheduler)."
  type        = string
}

variable "region" {
  description = "Region for the functions, Eventarc triggers, Cloud Scheduler jobs and KMS key."
  type        = string
  default     = "us-central1"
}

variable "firestore_location" {
  description = "Location of the Firestore (native mode) database, e.g. nam5 or us-central1."
  type        = string
  default     = "nam5"
}

variable "federation_name" {
  description = "Federation name used in DNS names: <svc>.<ns>.<federation>.svc.<suffix>."
  type        = string
  default     = "myfederation"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.federation_name))
    error_message = "federation_name must be an RFC 1123 label (lower case letters, digits and '-', at most 63 characters)."
  }
}

variable "dns_suffix" {
  description = "DNS zone suffix the Service names live under, without a trailing dot (e.g. example.com)."
  type        = string
  validation {
    condition     = can(regex("^([a-z0-9]([-a-z0-9]*[a-z0-9])?\\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.dns_suffix))
    error_message = "dns_suffix must be a lower-case DNS name without a trailing dot."
  }
}

variable "dns_provider" {
  description = "Where skyfed publishes records: clouddns or route53."
  type        = string
  default     = "clouddns"
  validation {
    condition     = contains(["clouddns", "route53"], var.dns_provider)
    error_message = "dns_provider must be clouddns or route53."
  }
}

variable "dns_managed_zone" {
  description = "Cloud DNS managed-zone name holding dns_suffix (created when create_dns_zone is true)."
  type        = string
  default     = "skyfed"
}

variable "create_dns_zone" {
  description = "Create the Cloud DNS managed zone for dns_suffix (only with dns_provider = clouddns)."
  type        = bool
  default     = false
}

variable "route53_hosted_zone_id" {
  description = "Route 53 hosted-zone id for dns_suffix (required with dns_provider = route53)."
  type        = string
  default     = ""
}

variable "route53_role_arn" {
  description = "Keyless Route 53: ARN of the AWS role the sweep assumes with its own Google ID token (output role_arn of terraform/aws). Leave empty to use route53_credentials_secret instead."
  type        = string
  default     = ""
  validation {
    condition     = var.route53_role_arn == "" || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.route53_role_arn))
    error_message = "route53_role_arn must be an IAM role ARN (arn:aws:iam::123456789012:role/NAME)."
  }
}

variable "route53_audience" {
  description = "Audience of the Google ID token the sweep presents to AWS STS; the AWS role trusts only this audience (terraform/aws var.audience)."
  type        = string
  default     = "skyfed-route53"
}

variable "route53_credentials_secret" {
  description = "Static-key fallback for Route 53: id of an existing Secret Manager secret whose latest version is an AWS shared credentials file (INI: [default] aws_access_key_id=… aws_secret_access_key=…), mounted into the sweep. Not created by this module."
  type        = string
  default     = ""
}

variable "aws_region" {
  description = "AWS region for the Route 53 and STS clients."
  type        = string
  default     = "us-east-1"
}

variable "dns_ttl" {
  description = "TTL in seconds of the records skyfed publishes."
  type        = number
  default     = 30
  validation {
    condition     = var.dns_ttl >= 1 && var.dns_ttl <= 86400
    error_message = "dns_ttl must be between 1 and 86400 seconds."
  }
}

variable "sweep_schedule" {
  description = "Cron schedule of the health sweep (Cloud Scheduler's floor is one minute)."
  type        = string
  default     = "* * * * *"
}

variable "sweep_rounds" {
  description = "Probe rounds per sweep run, spread over the minute for sub-minute failure detection."
  type        = number
  default     = 1
  validation {
    condition     = var.sweep_rounds >= 1 && var.sweep_rounds <= 6
    error_message = "sweep_rounds must be between 1 and 6."
  }
}

variable "reconcile_schedule" {
  description = "Cron schedule of the full reconcile that repairs drift and missed events."
  type        = string
  default     = "*/5 * * * *"
}

variable "api_invokers" {
  description = "IAM members allowed to call the API through Cloud Run IAM (user:alice@example.com, group:platform@example.com, serviceAccount:ci@p.iam.gserviceaccount.com). Each one is an admin of the federation."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for m in var.api_invokers : !contains(["allUsers", "allAuthenticatedUsers"], m) && can(regex("^(user|group|serviceAccount|domain|principal|principalSet):.+$", m))])
    error_message = "api_invokers takes user:, group:, serviceAccount:, domain: or principal(Set): members; allUsers and allAuthenticatedUsers would make the internet an admin (use api_tokens_secret for token-based access)."
  }
}

variable "api_tokens_secret" {
  description = "Optional id of an existing Secret Manager secret holding SKYFED_API_TOKENS (TOKEN=user:role,...). Setting it switches the API to bearer tokens: Cloud Run admits every caller and skyfed checks each token (IAM is no longer trusted, api_invokers is unused)."
  type        = string
  default     = ""
}

variable "source_dir" {
  description = "Folder with the deployable package (`npm run package` writes dist/package)."
  type        = string
  default     = "../dist/package"
}

variable "function_memory" {
  description = "Memory of each function."
  type        = map(string)
  default = {
    api              = "512Mi"
    reconcile        = "512Mi"
    healthSweep      = "1Gi"
    onServiceWritten = "512Mi"
    onClusterWritten = "512Mi"
    onSecretWritten  = "256Mi"
  }
}

variable "member_timeout_ms" {
  description = "Time-out of one call to a member cluster's API, in milliseconds."
  type        = number
  default     = 5000
}

variable "probe_timeout_ms" {
  description = "Time-out of one active load-balancer probe, in milliseconds."
  type        = number
  default     = 2000
}
