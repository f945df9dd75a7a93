package sampler

import (
	"sort"
	"time"
)

// maxStageMarks bounds the stage changes kept for driver samples; past it the
// oldest go, and a sample older than every mark kept counts for no stage.
const maxStageMarks = 4096

// stageMark is a stage change: from at on, samples belong to stage id (-1:
// none).
type stageMark struct {
	at time.Time
	id int
}

// stageLog is the stage changes of the last seconds. Driver samples are read
// seconds after they were taken (the backend reads its buffers rarely), so
// each goes to the stage current at its own timestamp, found here, and not to
// the stage current when it was read.
type stageLog struct {
	marks []stageMark // in time order
}

// add notes that stage id begins at at.
func (l *stageLog) add(at time.Time, id int) {
	if len(l.marks) >= maxStageMarks {
		l.marks = append(l.marks[:0], l.marks[1:]...)
	}
	l.marks = append(l.marks, stageMark{at, id})
}

// prune drops the marks that no sample after before can need: all those
// before the last one at or before it.
func (l *stageLog) prune(before time.Time) {
	i := sort.Search(len(l.marks), func(i int) bool { return l.marks[i].at.After(before) })
	if i > 1 {
		l.marks = append(l.marks[:0], l.marks[i-1:]...)
	}
}

// stageAt returns the stage current at t in marks (in time order), or -1
// when t is before the first.
func stageAt(marks []stageMark, t time.Time) int {
	i := sort.Search(len(marks), func(i int) bool { return marks[i].at.After(t) })
	if i == 0 {
		return -1
	}
	return marks[i-1].id
}
