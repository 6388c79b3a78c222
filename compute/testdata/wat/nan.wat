;; nan: writes the bits of NaNs made by several float operations. Their sign
;; and payload differ between amd64 and arm64 unless canonicalized.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory 1)
  (func (export "_start")
    (f64.store (i32.const 16) (f64.div (f64.const 0) (f64.const 0)))
    (f64.store (i32.const 24) (f64.sqrt (f64.const -1)))
    (f64.store (i32.const 32) (f64.add (f64.const nan:0x4) (f64.const 1)))
    (f64.store (i32.const 40) (f64.mul (f64.const -nan:0x8000000000001) (f64.const inf)))
    (f32.store (i32.const 48) (f32.div (f32.const 0) (f32.const 0)))
    (f32.store (i32.const 52) (f32.demote_f64 (f64.const -nan:0x8000000000001)))
    (f64.store (i32.const 56) (f64.promote_f32 (f32.const -nan:0x200001)))
    (f64.store (i32.const 64) (f64.min (f64.const nan:0x5) (f64.const 1)))
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 56))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
