# frozen_string_literal: true

# Runs the example as a user would, against a live stack with the test images, and checks what it
# printed and left: each sandbox of the one bulk request runs its own snapshot's image, and neither
# a sandbox nor a snapshot is left afterwards, also when the run fails:
#   node tools/e2e/with-stack.mjs -- rspec examples/ruby/snapshots

$LOAD_PATH.unshift(File.expand_path('../../../libs/sdk-ruby/lib', __dir__),
                   File.expand_path('../../../libs/api-client-ruby/lib', __dir__))
require 'daytona'
require 'open3'
require 'rbconfig'

RSpec.describe 'examples/ruby/snapshots/snapshots.rb' do
  let(:root) { File.expand_path('../../..', __dir__) }
  let(:daytona) { Daytona::Daytona.new }

  # The test images under a repository of their own in the stack's registry: each run needs
  # references no earlier snapshot of this stack used (a snapshot of an image its runner already
  # holds stays pending: an API bug, see examples/typescript/README.md).
  def fresh_images(repository)
    alpha = ENV.fetch('DAYTONA_TEST_IMAGE_ALPHA') { raise 'DAYTONA_TEST_IMAGE_ALPHA is not set: run under tools/e2e/with-stack.mjs' }
    registry = alpha.split('/', 2).first
    exports, status = Open3.capture2('node', File.join(root, 'tools/images/push-test-images.mjs'), registry, repository)
    raise "pushing the test images failed: #{exports}" unless status.success?

    exports.scan(/^export (\w+)=(.*)$/).to_h
  end

  def run_example(images)
    command = [RbConfig.ruby, '-I', 'libs/sdk-ruby/lib', '-I', 'libs/api-client-ruby/lib', 'examples/ruby/snapshots/snapshots.rb']
    stdout, stderr, status = Open3.capture3(images, *command, chdir: root)
    [status.exitstatus, stdout, stderr]
  end

  # The example's live sandboxes and its snapshots, sorted.
  def left_behind
    sandboxes = daytona.list(limit: 1000).items.map(&:name).select { |name| name.start_with?('rb-snap-') }
    snapshots = daytona.snapshot.list(limit: 1000).items.map(&:name).select { |name| name.start_with?('rb-snap-') }
    [sandboxes.sort, snapshots.sort]
  end

  it "has each sandbox of one bulk request run its own snapshot's image, and leaves nothing behind" do
    code, stdout, stderr = run_example(fresh_images('daytona/examples-rb-1'))

    expect(code).to eq(0), "exit #{code}\n#{stdout}\n#{stderr}"
    expect(stdout.scan(/^(rb-snap-\w+-\d{5}): (.*)$/).to_h).to eq(
      'rb-snap-alpha-00001' => 'alpha', 'rb-snap-alpha-00002' => 'alpha',
      'rb-snap-beta-00001' => 'beta', 'rb-snap-beta-00002' => 'beta'
    )
    expect(stdout).to include('Created snapshot rb-snap-beta (active)')
    expect(left_behind).to eq([[], []])
  end

  it 'exits 1 after a failure once both snapshots exist, and still deletes them' do
    # A sandbox holding one of the bulk's names makes it fail with name_conflict.
    blocker = daytona.create({ name: 'rb-snap-beta-00002' }, timeout: 60)
    begin
      code, stdout, stderr = run_example(fresh_images('daytona/examples-rb-2'))

      expect(code).to eq(1), "exit #{code}\n#{stdout}\n#{stderr}"
      expect(stderr).to match(/name_conflict|already in use/i)
      expect(stdout).to include('Created snapshot rb-snap-beta (active)')
      expect(left_behind).to eq([['rb-snap-beta-00002'], []])
    ensure
      blocker.delete
    end
  end

  it "fails with the registry's reason for an image it lacks, and leaves nothing behind" do
    images = fresh_images('daytona/examples-rb-3')
    images['DAYTONA_TEST_IMAGE_BETA'] = images.fetch('DAYTONA_TEST_IMAGE_BETA').sub(/:beta\z/, ':no-such-tag')

    code, stdout, stderr = run_example(images)

    expect(code).to eq(1), "exit #{code}\n#{stdout}\n#{stderr}"
    expect(stderr).to match(/rb-snap-beta.*manifest unknown/)
    expect(left_behind).to eq([[], []])
  end
end
