terraform {
  required_version = ">= 1.5.0"

  # Exact pins: test/unit/terraform/schema/*.json holds these versions' schemas, and npm test checks
  # the module against them (scripts/terraform-schema.mjs regenerates them after a bump).
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "6.50.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = "2.7.1"
    }
    random = {
      source  = "hashicorp/random"
      version = "3.7.2"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}
