# Keyless Route 53 for the skyfed sweep. AWS trusts Google's ID tokens natively (the federated
# principal accounts.google.com needs no IAM OIDC provider resource): STS checks the token's
# signature against Google's published keys and then this role's trust policy. For tokens of a
# Google service account, AWS maps accounts.google.com:aud to the token's azp claim (the service
# account's unique id), :oaud to its aud claim (the audience the sweep asked for) and :sub to sub.
data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "SkyfedSweepOnly"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["accounts.google.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "accounts.google.com:aud"
      values   = [var.sweep_service_account_unique_id]
    }
    condition {
      test     = "StringEquals"
      variable = "accounts.google.com:sub"
      values   = [var.sweep_service_account_unique_id]
    }
    condition {
      test     = "StringEquals"
      variable = "accounts.google.com:oaud"
      values   = [var.audience]
    }
  }
}

# Exactly the three calls the sweep makes (shared/dns/providers/route53.ts), on this zone only.
data "aws_iam_policy_document" "zone" {
  statement {
    sid       = "RecordsOfOneZone"
    effect    = "Allow"
    actions   = ["route53:ListResourceRecordSets", "route53:ChangeResourceRecordSets"]
    resources = ["arn:aws:route53:::hostedzone/${var.hosted_zone_id}"]
  }
  statement {
    sid       = "WaitForChanges"
    effect    = "Allow"
    actions   = ["route53:GetChange"]
    resources = ["arn:aws:route53:::change/*"]
  }
}

resource "aws_iam_role" "sweep" {
  name                 = var.role_name
  description          = "skyfed health sweep: Route 53 records of one hosted zone, assumed with a Google ID token"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = var.max_session_seconds
}

resource "aws_iam_role_policy" "zone" {
  name   = "skyfed-route53-zone"
  role   = aws_iam_role.sweep.id
  policy = data.aws_iam_policy_document.zone.json
}
