# frozen_string_literal: true

# Bulk-creates sandboxes in both modes and runs a command in each:
#   1. fire and forget (await_started: false), then wait for each sandbox;
#   2. await started (await_started: true), then run commands at once.
# Every sandbox it created is deleted at the end, even after a failure; the exit code is 1 then.
#
# Against `npm start` (run from the repository root, which holds .env.local):
#   ruby -I libs/sdk-ruby/lib -I libs/api-client-ruby/lib examples/ruby/bulk-create/bulk_create.rb

require 'daytona'

# Bound on the whole fire-and-forget wait, in seconds.
START_TIMEOUT = 120

def monotonic
  Process.clock_gettime(Process::CLOCK_MONOTONIC)
end

def say_hello(sandbox)
  response = sandbox.process.execute_command('echo hello')
  raise "#{sandbox.name}: echo exited with #{response.exit_code}" unless response.exit_code.zero?

  puts "#{sandbox.name}: #{response.result.strip}"
end

def main
  daytona = Daytona::Daytona.new
  created = []
  failed = false

  begin
    # Mode 1: Fire and forget (await_started = false), then poll
    puts 'Bulk creating sandboxes (fire and forget)...'
    sandboxes = daytona.bulk_create(
      [Daytona::BulkCreateItem.new(snapshot_id_or_name: 'default', count: 3, sandbox_name_prefix: 'rb-batch-a')],
      await_started: false
    )
    created.concat(sandboxes)
    # Polls with backoff, raises at once for a sandbox that ends in error (with the reason), and
    # all the waits together share one deadline.
    deadline = monotonic + START_TIMEOUT
    sandboxes.each do |sandbox|
      sandbox.wait_until_started(timeout: [deadline - monotonic, 0].max)
      say_hello(sandbox)
    end

    # Mode 2: Await started
    puts 'Bulk creating sandboxes (await started)...'
    ready_sandboxes = daytona.bulk_create(
      [Daytona::BulkCreateItem.new(snapshot_id_or_name: 'default', count: 3, sandbox_name_prefix: 'rb-batch-b')],
      await_started: true, timeout: 300
    )
    created.concat(ready_sandboxes)
    ready_sandboxes.each do |sandbox|
      # The server answers at its own timeout even if some sandboxes are not started yet.
      unless sandbox.state == 'started'
        raise "#{sandbox.name} is #{sandbox.state}#{sandbox.error_reason ? ": #{sandbox.error_reason}" : ''}"
      end

      say_hello(sandbox)
    end
  rescue StandardError => e
    warn "#{e.class}: #{e.message}"
    failed = true
  ensure
    # Cleanup
    puts "Deleting #{created.size} sandboxes..."
    created.each do |sandbox|
      daytona.delete(sandbox)
    rescue Daytona::Error => e
      warn "Cleanup of #{sandbox.name} failed: #{e.message}"
      failed = true
    end
  end
  exit(failed ? 1 : 0)
end

if $PROGRAM_NAME == __FILE__
  $stdout.sync = true
  begin
    main
  rescue Daytona::Error => e # e.g. no API key: nothing was created
    warn e.message
    exit 1
  end
end
