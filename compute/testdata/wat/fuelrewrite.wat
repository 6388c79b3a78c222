;; fuelrewrite: declares no globals, yet writes global 0 in its loop. Before
;; instrumentation that is invalid; after a naive instrumentation global 0
;; is the fuel counter, so the loop would refill its own budget forever.
;; Build with: wat2wasm --no-check
(module
  (func $start (export "_start")
    (local $i i64)
    (loop $l
      (global.set 0 (i64.const 1000000))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $l (i64.lt_u (local.get $i) (i64.const 300000000))))))
