package app

import "linli/internal/errs"

var errNotFound = errs.E(errs.NotFound, "接口不存在")
