;; bigtable: declares a table of 2^27 entries up front.
(module
  (table 134217728 funcref)
  (func (export "_start")))
