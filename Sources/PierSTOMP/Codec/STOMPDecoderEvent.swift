/// What `STOMPFrameDecoder.next` found at the front of the buffer.
public enum STOMPDecoderEvent: Sendable, Equatable {
    case frame(STOMPFrame)
    /// One EOL (`\n` or `\r\n`) between frames: a heart-beat, or the optional EOLs after a frame's NUL.
    case heartbeat
}
