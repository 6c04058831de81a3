//! The socket's framing, written once for both ends: one JSON value per line, lines capped
//! in length ([`MAX_REQUEST`](super::protocol::MAX_REQUEST) for the service,
//! [`MAX_LINE`](super::protocol::MAX_LINE) for the terminal). The line splitting and its
//! cap are `tokio-util`'s; a line that is not the expected JSON is an item of its own
//! (`Err`), so that one bad request is answered without closing the connection.

use std::marker::PhantomData;

use bytes::{BufMut, BytesMut};
use tokio_util::codec::{AnyDelimiterCodec, AnyDelimiterCodecError, Decoder, Encoder};

/// Why reading the stream stopped.
#[derive(Debug, thiserror::Error)]
pub enum FramingError {
    #[error("line longer than the limit")]
    TooLong,
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl From<AnyDelimiterCodecError> for FramingError {
    fn from(e: AnyDelimiterCodecError) -> Self {
        match e {
            AnyDelimiterCodecError::MaxChunkLengthExceeded => FramingError::TooLong,
            AnyDelimiterCodecError::Io(e) => FramingError::Io(e),
        }
    }
}

/// Reads `In` values and writes `Out` values, one JSON document per line.
pub struct JsonLines<In, Out> {
    lines: AnyDelimiterCodec,
    kinds: PhantomData<fn(Out) -> In>,
}

impl<In, Out> JsonLines<In, Out> {
    /// `max` bytes per line at most, the newline not counted.
    pub fn new(max: usize) -> Self {
        JsonLines {
            lines: AnyDelimiterCodec::new_with_max_length(b"\n".to_vec(), Vec::new(), max),
            kinds: PhantomData,
        }
    }
}

impl<In: serde::de::DeserializeOwned, Out> Decoder for JsonLines<In, Out> {
    type Item = Result<In, serde_json::Error>;
    type Error = FramingError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Self::Item>, FramingError> {
        Ok(self
            .lines
            .decode(src)?
            .map(|line| serde_json::from_slice(&line)))
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Self::Item>, FramingError> {
        Ok(self
            .lines
            .decode_eof(src)?
            .filter(|line| !line.is_empty())
            .map(|line| serde_json::from_slice(&line)))
    }
}

impl<In, Out: serde::Serialize> Encoder<Out> for JsonLines<In, Out> {
    type Error = FramingError;

    fn encode(&mut self, item: Out, dst: &mut BytesMut) -> Result<(), FramingError> {
        serde_json::to_writer(dst.writer(), &item).map_err(std::io::Error::from)?;
        dst.put_u8(b'\n');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_json_and_capped() {
        let mut codec = JsonLines::<u32, u32>::new(8);
        let mut out = BytesMut::new();
        codec.encode(7, &mut out).unwrap();
        assert_eq!(&out[..], b"7\n");
        let mut src = BytesMut::from(&b"12\nnope\n"[..]);
        assert_eq!(codec.decode(&mut src).unwrap().unwrap().unwrap(), 12);
        assert!(codec.decode(&mut src).unwrap().unwrap().is_err());
        assert!(codec.decode(&mut src).unwrap().is_none());
        let mut long = BytesMut::from(&b"123456789012\n"[..]);
        assert!(matches!(
            codec.decode(&mut long),
            Err(FramingError::TooLong)
        ));
    }
}
