# frozen_string_literal: true

module Daytona
  # One line of a bulk create: `count` sandboxes from one snapshot, named `{prefix}-00001`, ...
  #
  # `labels` and `env` go to every sandbox of the item (`env` is what each command in it sees);
  # label keys starting `daytona.io/` are the platform's (`reserved_label`).
  #
  # @example
  #   Daytona::BulkCreateItem.new(snapshot_id_or_name: 'default', count: 100, sandbox_name_prefix: 'eval-7', allow_under: true,
  #                               labels: { 'run' => 'eval-7' }, env: { 'EVAL_RUN' => '7' })
  class BulkCreateItem
    # @return [String] snapshot id or name
    attr_accessor :snapshot_id_or_name
    # @return [Integer] how many sandboxes, at least 1
    attr_accessor :count
    # @return [String] 1-50 characters: a letter or digit, then letters, digits, `.`, `_` or `-`
    attr_accessor :sandbox_name_prefix
    # @return [Boolean] create as many as quota and runners allow (possibly none) instead of failing
    attr_accessor :allow_under
    # @return [Hash{String=>String}, nil] labels of every sandbox of the item
    attr_accessor :labels
    # @return [Hash{String=>String}, nil] environment variables of every sandbox of the item
    attr_accessor :env

    def initialize(snapshot_id_or_name:, count:, sandbox_name_prefix:, allow_under: false, labels: nil, env: nil)
      @snapshot_id_or_name = snapshot_id_or_name
      @count = count
      @sandbox_name_prefix = sandbox_name_prefix
      @allow_under = allow_under
      @labels = labels
      @env = env
    end

    # The item as the API's JSON expects it (camelCase keys). Values are passed through unchecked:
    # the server is the one validator, and its 400 becomes a {Daytona::ValidationError}.
    #
    # @example
    #   item.to_h # => { snapshotIdOrName: 'default', count: 3, sandboxNamePrefix: 'batch-a', allowUnder: false }
    # @return [Hash]
    def to_h
      {
        snapshotIdOrName: snapshot_id_or_name,
        count: count,
        sandboxNamePrefix: sandbox_name_prefix,
        allowUnder: allow_under,
        labels: labels,
        env: env
      }.compact
    end
  end
end
