# frozen_string_literal: true

require_relative '../spec_helper'

RSpec.describe Daytona::ErrorMapper do
  include_context 'with a stub API'

  {
    400 => [Daytona::ValidationError, 'validation_failed'],
    401 => [Daytona::AuthenticationError, 'unauthenticated'],
    403 => [Daytona::AuthorizationError, 'quota_exceeded'],
    404 => [Daytona::NotFoundError, 'sandbox_not_found'],
    409 => [Daytona::ConflictError, 'name_conflict'],
    413 => [Daytona::ValidationError, 'payload_too_large'],
    429 => [Daytona::RateLimitError, 'rate_limited'],
    500 => [Daytona::ServerError, 'internal_error'],
    503 => [Daytona::ServerError, 'insufficient_capacity']
  }.each do |status, (error_class, code)|
    it "maps HTTP #{status} with code #{code} to #{error_class}, keeping status, code, message and details" do
      details = { 'field' => 'items[0].count' }
      api.on('GET', '/sandbox/x', status: status, body: error_json(status, code, 'it went wrong', details),
                                  headers: { 'X-Request-Id' => 'req-42' })

      expect { daytona.get('x') }.to raise_error(error_class) { |error|
        expect(error).to be_a(Daytona::Error)
        expect(error.status_code).to eq(status)
        expect(error.code).to eq(code)
        expect(error.message).to eq('it went wrong')
        expect(error.details).to eq(details)
        expect(error.request_id).to eq('req-42')
      }
    end
  end

  it 'reads Retry-After into RateLimitError#retry_after' do
    api.on('GET', '/sandbox/x', status: 429, body: error_json(429, 'rate_limited'), headers: { 'Retry-After' => '7' })

    expect { daytona.get('x') }.to raise_error(Daytona::RateLimitError) { |error| expect(error.retry_after).to eq(7.0) }
  end

  it 'keeps a non-JSON body (from a proxy, say) as the message of the status class' do
    api.on('GET', '/sandbox/x', status: 502, body: 'Bad Gateway from the proxy')

    expect { daytona.get('x') }.to raise_error(Daytona::ServerError) { |error|
      expect(error.message).to eq('Bad Gateway from the proxy')
      expect(error.code).to be_nil
      expect(error.status_code).to eq(502)
    }
  end

  it 'falls back to a message naming the call when the body is empty' do
    api.on('DELETE', '/sandbox/x', status: 418, body: '')

    expect { daytona.delete('x') }.to raise_error(Daytona::Error, 'DELETE /sandbox/x failed with HTTP 418') { |error|
      expect(error.class).to eq(Daytona::Error)
    }
  end

  it 'never lets the generated client\'s error escape, nor keeps it as the cause' do
    api.on('GET', '/sandbox/x', status: 404, body: error_json(404, 'sandbox_not_found'))

    expect { daytona.get('x') }.to raise_error(Daytona::NotFoundError) { |error| expect(error.cause).to be_nil }
  end

  it 'maps the generated client\'s own argument checks to ValidationError' do
    expect { daytona.list(limit: 5000) }.to raise_error(Daytona::ValidationError, /limit/) { |error|
      expect(error.code).to eq('validation_failed')
      expect(error.status_code).to be_nil
    }
    expect(api.received).to be_empty
  end
end
