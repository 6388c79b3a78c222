;; randomget: 20000 calls of random_get for a 64 KiB buffer, 1.3 GB of
;; ChaCha8 output for a few instructions each.
(module
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (memory 1)
  (func (export "_start")
    (local $i i32)
    (loop $l
      (drop (call $random_get (i32.const 0) (i32.const 65536)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 20000))))))
