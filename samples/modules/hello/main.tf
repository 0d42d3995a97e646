# A small OpenTofu root module that needs no provider download: terraform_data is built in.
# Planning it shows "Plan: 2 to add, 0 to change, 0 to destroy."

variable "greeting" {
  type    = string
  default = "hello from tofu-operator"
}

resource "terraform_data" "greeting" {
  input = var.greeting
}

resource "terraform_data" "checksum" {
  input = sha256(var.greeting)
}

output "greeting" {
  value = terraform_data.greeting.output
}
