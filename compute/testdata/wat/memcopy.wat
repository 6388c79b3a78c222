;; memcopy: 100000 copies of half a 64 KiB page onto the other half.
(module
  (memory 1)
  (func (export "_start")
    (local $i i32)
    (loop $l
      (memory.copy (i32.const 0) (i32.const 32768) (i32.const 32768))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 100000))))))
