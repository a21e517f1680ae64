terraform {
  required_version = ">= 1.5.0"

  # Exact pin: test/unit/terraform/schema/aws.json holds this version's schema.
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "6.25.0"
    }
  }
}

provider "aws" {
  region = var.aws_region
}
