# frozen_string_literal: true

# Makes two snapshots of two images, bulk-creates sandboxes from both in one request, and shows in
# each sandbox which image it runs. The images come from DAYTONA_TEST_IMAGE_ALPHA and
# DAYTONA_TEST_IMAGE_BETA:
#
#   eval "$(node tools/images/push-test-images.mjs)"  # after `npm start`: the test images in its registry
#   ruby -I libs/sdk-ruby/lib -I libs/api-client-ruby/lib examples/ruby/snapshots/snapshots.rb
#
# Every sandbox and snapshot it created is deleted at the end, even after a failure; it exits 1 then.

require 'daytona'

# Seconds for a runner to pull an image: about one for the test images; raise it for large ones.
SNAPSHOT_TIMEOUT = 120
# On the test images /marker names the image; other images say what OS they are.
WHICH_IMAGE = 'cat /marker 2>/dev/null || sed -n "s/^PRETTY_NAME=//p" /etc/os-release'

def images_from_env(variables)
  missing = variables.values.reject { |variable| ENV.fetch(variable, '') != '' }
  unless missing.empty?
    abort "#{missing.join(' and ')}: not set. They name images your runner can pull; against npm start, push the " \
          'test images to its registry and set both with: eval "$(node tools/images/push-test-images.mjs)"'
  end
  variables.transform_values { |variable| ENV.fetch(variable) }
end

def main
  images = images_from_env('rb-snap-alpha' => 'DAYTONA_TEST_IMAGE_ALPHA', 'rb-snap-beta' => 'DAYTONA_TEST_IMAGE_BETA')
  daytona = Daytona::Daytona.new
  snapshots = []
  sandboxes = []
  failed = false

  begin
    images.each do |name, image|
      puts "Creating snapshot #{name} from #{image}..."
      begin
        daytona.snapshot.create(name: name, image: image, on_logs: ->(line) { puts "  #{line}" }, timeout: SNAPSHOT_TIMEOUT)
      rescue Daytona::SnapshotStateError, Daytona::TimeoutError
        snapshots << name # it exists, in error or still pulling: this run's to delete
        raise
      end
      snapshots << name
    end

    puts 'Bulk creating sandboxes from both snapshots in one request (await started)...'
    sandboxes.concat(daytona.bulk_create(
                       images.keys.map { |name| Daytona::BulkCreateItem.new(snapshot_id_or_name: name, count: 2, sandbox_name_prefix: name) },
                       await_started: true, timeout: 300
                     ))
    sandboxes.each do |sandbox|
      # The server answers at its own timeout even if some sandboxes are not started yet.
      unless sandbox.state == 'started'
        raise "#{sandbox.name} is #{sandbox.state}#{sandbox.error_reason ? ": #{sandbox.error_reason}" : ''}"
      end

      puts "#{sandbox.name}: #{sandbox.process.execute_command(WHICH_IMAGE).result.strip}"
    end
  rescue StandardError => e
    warn "failed: #{e.class}: #{e.message}"
    failed = true
  ensure
    # The sandboxes first: a snapshot in use cannot be deleted.
    puts "Deleting #{sandboxes.size} sandboxes and #{snapshots.size} snapshots..."
    deletions = sandboxes.map { |sandbox| [sandbox.name, -> { daytona.delete(sandbox) }] } +
                snapshots.map { |name| [name, -> { daytona.snapshot.delete(name) }] }
    deletions.each do |what, delete|
      delete.call
    rescue Daytona::Error => e
      warn "could not delete #{what}: #{e.message}"
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
