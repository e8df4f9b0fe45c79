resource "terraform_data" "topic" {
  input = {
    name   = "{{ topic_name }}-{{ environment }}"
    region = "{{ region }}"
  }
}
