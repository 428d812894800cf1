# frozen_string_literal: true

module Daytona
  VERSION = '0.1.0'
end
