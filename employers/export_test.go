package employers

import "context"

// StopAt makes Register fail after the named step ("kvk", "employer",
// "account"), as a crash there would.
func (s *Service) StopAt(f func(ctx context.Context, step string) error) { s.stopAt = f }
