//! Input files as text: UTF-8 checked, BOM stripped, hashed for the manifest.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{Error, InputError, IoKind, Result, line_col};

/// One input file's text, with the name it is reported under.
#[derive(Debug, Clone)]
pub struct TextFile {
    /// How errors and the manifest name the file (a path, or `embedded:<path>`).
    pub name: String,
    /// The text, without a byte-order mark. Windows line endings are kept (the parsers accept them).
    pub text: String,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
}

impl TextFile {
    /// Wraps bytes, checking they are UTF-8.
    pub fn from_bytes(name: impl Into<String>, bytes: &[u8]) -> Result<TextFile> {
        let name = name.into();
        let sha256 = sha256_hex(bytes);
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let valid = e.valid_up_to();
                // the valid prefix tells line and column of the first bad byte
                let prefix = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
                let (line, col) = line_col(prefix, prefix.len());
                return Err(InputError::new(format!(
                    "the file is not valid UTF-8 (bad byte 0x{:02x})",
                    bytes[valid]
                ))
                .in_file(name)
                .at(line, col)
                .hint("save the file as UTF-8 (for example from a spreadsheet: CSV UTF-8)")
                .into());
            }
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text).to_string();
        Ok(TextFile { name, text, sha256 })
    }

    /// Reads a file from disk (a regular file of at most [`MAX_INPUT_BYTES`]).
    pub fn read(path: &Path) -> Result<TextFile> {
        let bytes = read_regular(path, MAX_INPUT_BYTES)?;
        TextFile::from_bytes(path.display().to_string(), &bytes)
    }

    /// An error in this file with no position.
    pub fn error(&self, message: impl Into<String>) -> InputError {
        InputError::new(message).in_file(&self.name)
    }

    /// An error at byte `offset` of this file.
    pub fn error_at(&self, offset: usize, message: impl Into<String>) -> InputError {
        let (line, col) = line_col(&self.text, offset);
        self.error(message)
            .at(line, col)
            .with_source_line(&self.text)
    }

    /// An error at 1-based `line` and `column` of this file.
    pub fn error_at_line(
        &self,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> InputError {
        self.error(message)
            .at(line, column)
            .with_source_line(&self.text)
    }
}

/// The largest input file kymsim reads (256 MiB): a region's data files are a few MB, ALas
/// exports a few tens.
pub const MAX_INPUT_BYTES: u64 = 256 << 20;

/// Checks, before opening it, that `path` is a regular file (or a link to one) of at most
/// [`MAX_INPUT_BYTES`]: a folder, a FIFO (which would block the read forever), a device or a
/// socket is a bad input (exit 2), as is a missing file.
pub fn check_regular_file(path: &Path) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(IoKind::Read, path, e))?;
    check_regular_meta(path, &meta, MAX_INPUT_BYTES)
}

/// What a file that is not a regular file is, in words (`a FIFO`, `a character device`, …).
pub fn special_file_kind(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

fn check_regular_meta(path: &Path, meta: &std::fs::Metadata, limit: u64) -> Result<()> {
    if !meta.is_file() {
        let what = special_file_kind(meta);
        let what = if what == "a folder" || what == "not a regular file" {
            what.to_string()
        } else {
            format!("not a regular file ({what})")
        };
        return Err(InputError::new(format!("`{}` is {what}", path.display()))
            .hint("give the path of a regular file")
            .into());
    }
    if meta.len() > limit {
        return Err(too_large(path, meta.len(), limit));
    }
    Ok(())
}

fn too_large(path: &Path, len: u64, limit: u64) -> Error {
    let (size, unit) = if limit >= 1 << 20 {
        (limit >> 20, "MiB")
    } else {
        (limit >> 10, "KiB")
    };
    InputError::new(format!(
        "`{}` is {len} bytes or more; this file is limited to {size} {unit}",
        path.display()
    ))
    .hint("check that this is the file you meant")
    .into()
}

/// Opens `path` for reading when it is a regular file (or a link to one) of at most `limit`
/// bytes. The file is opened without blocking — a FIFO cannot hold the open — and checked on
/// the open handle, so what is checked is what is read.
pub fn open_regular(path: &Path, limit: u64) -> Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    let file = options
        .open(path)
        .map_err(|e| Error::io(IoKind::Read, path, e))?;
    let meta = file
        .metadata()
        .map_err(|e| Error::io(IoKind::Read, path, e))?;
    check_regular_meta(path, &meta, limit)?;
    Ok(file)
}

/// Reads a regular file of at most `limit` bytes whole (see [`open_regular`]); a file that grows
/// past the limit while it is read is refused too.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let file = open_regular(path, limit)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(IoKind::Read, path, e))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(path, bytes.len() as u64, limit));
    }
    Ok(bytes)
}

/// The largest file kymsim reads that it wrote itself as a small record (`manifest.json`, an
/// identity file, a chart of another command): 64 MiB.
pub const MAX_RECORD_BYTES: u64 = 64 << 20;

/// SHA-256 of `bytes` as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest.iter() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_bom_and_hashes_bytes() {
        let f = TextFile::from_bytes("x", b"\xef\xbb\xbfa,b\n").unwrap();
        assert_eq!(f.text, "a,b\n");
        // sha256 of the empty string is well known
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn non_utf8_is_located() {
        let err = TextFile::from_bytes("s.csv", b"a,b\nc,\xff\n").unwrap_err();
        let Error::Input(e) = err else { panic!() };
        assert_eq!((e.line, e.column), (Some(2), Some(3)));
        assert!(e.message.contains("0xff"));
    }
}
