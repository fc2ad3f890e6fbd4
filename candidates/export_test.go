package candidates

// StopAt makes writes fail at the named step ("recorded": the task is
// recorded, nothing written; "written": the document is written, its
// follow-up not run; "event": the follow-up ran up to the audit append;
// "recorded-event": the event is appended, the task not yet deleted), as
// a crash there would.
func (s *Service) StopAt(f func(step string) error) { s.writer.SetFault(f) }
