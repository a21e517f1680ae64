resource "random_id" "bucket" {
  byte_length = 4
}

resource "google_storage_bucket" "source" {
  name                        = "${var.project_id}-skyfed-src-${random_id.bucket.hex}"
  location                    = var.region
  uniform_bucket_level_access = true
  force_destroy               = true
  depends_on                  = [google_project_service.apis]
}

data "archive_file" "source" {
  type        = "zip"
  source_dir  = var.source_dir
  output_path = "${path.module}/.build/skyfed-source.zip"
}

# Named by content hash: any code change gives a new object and so a new function revision.
resource "google_storage_bucket_object" "source" {
  name   = "skyfed-${data.archive_file.source.output_sha256}.zip"
  bucket = google_storage_bucket.source.name
  source = data.archive_file.source.output_path
}
