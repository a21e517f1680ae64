output "role_arn" {
  description = "Pass to the root module as route53_role_arn."
  value       = aws_iam_role.sweep.arn
}

output "audience" {
  description = "Pass to the root module as route53_audience (the trust policy accepts only this audience)."
  value       = var.audience
}
