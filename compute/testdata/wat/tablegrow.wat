;; tablegrow: grows its table by 2^28 entries in one instruction (2 GiB of
;; host memory outside the linear memory cap) and exits 0 only if it worked.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (table 0 funcref)
  (func (export "_start")
    (if (i32.eq (table.grow 0 (ref.null func) (i32.const 268435456)) (i32.const -1))
      (then (call $exit (i32.const 3))))))
