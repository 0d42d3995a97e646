# A root module with typed inputs and outputs that needs no provider download (terraform_data is
# built in). samples/inputs.yaml gives it values from spec.variables, a ConfigMap and a Secret, and
# a dependent stack reads its outputs.

variable "region" {
  type = string
}

variable "replicas" {
  type    = number
  default = 1
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "api_token" {
  type      = string
  sensitive = true
}

resource "terraform_data" "service" {
  input = {
    region   = var.region
    replicas = var.replicas
    tags     = var.tags
  }
}

resource "terraform_data" "credentials" {
  input = sha256(var.api_token)
}

output "endpoint" {
  value = "https://service.${var.region}.example.internal"
}

output "replicas" {
  value = terraform_data.service.output.replicas
}

output "token_fingerprint" {
  value     = terraform_data.credentials.output
  sensitive = true
}
