;; memfill: 100000 fills of one 64 KiB page, 6.5 GB written by a handful of
;; instructions per iteration.
(module
  (memory 1)
  (func (export "_start")
    (local $i i32)
    (loop $l
      (memory.fill (i32.const 0) (i32.const 7) (i32.const 65536))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 100000))))))
