resource "terraform_data" "queue" {
  input = {
    name              = "{{ queue_full_name }}"
    max_receive_count = {{ max_receive_count }}
    subscribed_to     = "{{ connections.source_topic.arn }}"
  }
}

output "sqs_queue_arn" {
  value = "arn:aws:sqs:us-east-1:000000000000:${terraform_data.queue.output.name}"
}

output "sqs_queue_url" {
  value = "https://sqs.us-east-1.amazonaws.com/000000000000/${terraform_data.queue.output.name}"
}
