# A root module that consumes another stack's output (samples/inputs.yaml wires the service stack's
# "endpoint" output into "service_endpoint" with spec.inputsFrom).

variable "service_endpoint" {
  type = string
  # The module's own plan (without a stack) has no upstream.
  default = "none"
}

resource "terraform_data" "client" {
  input = "client of ${var.service_endpoint}"
}

output "configured_for" {
  value = terraform_data.client.output
}
