variable "aws_region" {
  description = "AWS region for the provider (IAM and Route 53 are global; this only picks the endpoint)."
  type        = string
  default     = "us-east-1"
}

variable "hosted_zone_id" {
  description = "Route 53 hosted-zone id holding the skyfed names (the root module's route53_hosted_zone_id)."
  type        = string
  validation {
    condition     = can(regex("^Z[A-Z0-9]{1,31}$", var.hosted_zone_id))
    error_message = "hosted_zone_id must be a Route 53 hosted-zone id such as Z0123456789ABCDEFGHIJ (without /hostedzone/)."
  }
}

variable "sweep_service_account_unique_id" {
  description = "Numeric unique id of the sweep's Google service account (root module output sweep_service_account_unique_id); only its ID tokens may assume the role."
  type        = string
  validation {
    condition     = can(regex("^[0-9]{10,30}$", var.sweep_service_account_unique_id))
    error_message = "sweep_service_account_unique_id is the numeric unique id, not the e-mail address."
  }
}

variable "audience" {
  description = "Audience the sweep asks Google to put in its ID token (the root module's route53_audience)."
  type        = string
  default     = "skyfed-route53"
}

variable "role_name" {
  description = "Name of the IAM role the sweep assumes."
  type        = string
  default     = "skyfed-route53-sweep"
}

variable "max_session_seconds" {
  description = "Longest session the role grants (the sweep refreshes credentials before they expire)."
  type        = number
  default     = 3600
}
