# frozen_string_literal: true

module Daytona
  # Reads a multipart/form-data body as it arrives, chunk by chunk, holding at most one chunk and
  # a boundary's length of it: each part's headers go to `on_part`, its content to `on_data` in
  # pieces, and its end to `on_end`. A bulk download of large files is therefore never in memory.
  # @api private
  class MultipartStream
    # @param boundary [String] the boundary of the answer's Content-Type
    # @param on_part [#call] called with the part's headers (lower-case names => values)
    # @param on_data [#call] called with each piece of the part's content
    # @param on_end [#call] called when the part is complete
    def initialize(boundary, on_part:, on_data:, on_end:)
      @delimiter = "\r\n--#{boundary}".b
      @buffer = +''.b
      # The body opens with the boundary line itself, without the CRLF before it.
      @buffer << "\r\n"
      @state = :preamble
      @on_part = on_part
      @on_data = on_data
      @on_end = on_end
    end

    # @param chunk [String] the next bytes of the body
    def feed(chunk)
      @buffer << chunk.b
      loop { break unless step }
    end

    # @return [Boolean] whether the closing boundary was seen
    def complete? = @state == :done

    private

    def step
      case @state
      when :preamble then after_delimiter(@buffer.index(@delimiter))
      when :delimiter then delimiter_end
      when :headers then headers
      when :body then body
      else false
      end
    end

    def after_delimiter(at)
      return false unless at

      @buffer = @buffer.byteslice(at + @delimiter.bytesize..)
      @state = :delimiter
      true
    end

    # After a delimiter: "--" closes the body, CRLF opens a part.
    def delimiter_end
      return false if @buffer.bytesize < 2

      if @buffer.start_with?('--')
        @state = :done
        @buffer = +''.b
        return false
      end
      line_end = @buffer.index("\r\n")
      return false unless line_end

      @buffer = @buffer.byteslice(line_end + 2..)
      @state = :headers
      true
    end

    def headers
      at = @buffer.index("\r\n\r\n")
      return false unless at

      headers = @buffer.byteslice(0, at).split("\r\n").each_with_object({}) do |line, all|
        name, value = line.split(':', 2)
        all[name.strip.downcase] = value.to_s.strip if value
      end
      @buffer = @buffer.byteslice(at + 4..)
      @on_part.call(headers)
      @state = :body
      true
    end

    def body
      at = @buffer.index(@delimiter)
      if at
        @on_data.call(@buffer.byteslice(0, at)) if at.positive?
        @on_end.call
        return after_delimiter(at)
      end
      # Keep what could be the start of a delimiter split across chunks.
      keep = @delimiter.bytesize - 1
      return false if @buffer.bytesize <= keep

      @on_data.call(@buffer.byteslice(0, @buffer.bytesize - keep))
      @buffer = @buffer.byteslice(@buffer.bytesize - keep..)
      false
    end
  end
end
