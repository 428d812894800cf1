# frozen_string_literal: true

# End-to-end specs run against a live stack: tools/e2e/with-stack.mjs provides DAYTONA_API_URL and
# DAYTONA_API_KEY (see libs/sdk-ruby/README.md for the command).
$LOAD_PATH.unshift(File.expand_path('../lib', __dir__), File.expand_path('../../api-client-ruby/lib', __dir__))

require 'daytona'
require 'securerandom'

module E2eHelpers
  # States in which a sandbox holds runner capacity (the API's one rule).
  RELEASED_STATES = %w[destroyed error build_failed].freeze

  def self.client
    url = ENV.fetch('DAYTONA_API_URL', '')
    key = ENV.fetch('DAYTONA_API_KEY', '')
    if url.empty? || key.empty?
      raise 'DAYTONA_API_URL and DAYTONA_API_KEY must point at a running stack: ' \
            'RUNNER_CAPACITY_CPU=10 node tools/e2e/with-stack.mjs -- <this rspec command>'
    end
    Daytona::Daytona.new(api_key: key, api_url: url)
  end

  def item(prefix, count, **options)
    Daytona::BulkCreateItem.new(snapshot_id_or_name: 'default', count: count, sandbox_name_prefix: prefix, **options)
  end

  def live_sandboxes_named(daytona, prefix)
    daytona.list(limit: 1000).items.select { |sandbox| sandbox.name.start_with?(prefix) }
  end

  def expected_names(prefix, count)
    (1..count).map { |n| format('%s-%05d', prefix, n) }
  end

  def holds_capacity?(sandbox)
    !RELEASED_STATES.include?(sandbox.state)
  end

  # Deletes sandboxes, ignoring failures, so one failed test does not leave the next one less room.
  def delete_all(daytona, sandboxes)
    sandboxes.each do |sandbox|
      daytona.delete(sandbox)
    rescue Daytona::Error => e
      warn "cleanup of #{sandbox.name}: #{e.message}"
    end
  end

  # The runner's cpu capacity, which the harness passes to the runner through its environment.
  def runner_capacity_cpu
    capacity = Integer(ENV.fetch('RUNNER_CAPACITY_CPU', ''), exception: false)
    return capacity if capacity&.between?(8, 100)

    raise 'Set RUNNER_CAPACITY_CPU to a small runner capacity (8-100) for the stack and the tests, e.g. ' \
          'RUNNER_CAPACITY_CPU=10 node tools/e2e/with-stack.mjs -- <this rspec command>. ' \
          'With the default 4,000 the allowUnder shortfall would need 4,000 real sandboxes.'
  end
end

RSpec.configure do |config|
  config.include E2eHelpers
  config.disable_monkey_patching!
  # The steps share one stack and its capacity: run them in the order written.
  config.order = :defined
end
