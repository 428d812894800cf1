# frozen_string_literal: true

require_relative 'lib/daytona/version'

Gem::Specification.new do |spec|
  spec.name = 'daytona'
  spec.version = Daytona::VERSION
  spec.summary = 'Create and run isolated Linux sandboxes, one at a time or thousands at once'
  spec.description = 'A hand-written client over the generated daytona_api_client: configuration, ' \
                     'sandboxes, commands, bulk creation and one error tree.'
  spec.license = 'Apache-2.0'
  spec.authors = ['Daytona contributors']
  spec.required_ruby_version = '>= 3.1'
  spec.files = Dir['lib/**/*.rb'] + ['README.md']
  spec.require_paths = ['lib']
  spec.add_dependency 'daytona_api_client'
  spec.add_dependency 'typhoeus', '~> 1.4'
end
