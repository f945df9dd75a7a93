package proctree

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"os"
)

// Walker reads process trees from /proc. It keeps its buffers between calls so
// that walking a tree ten times a second allocates little. A Walker is not safe
// for concurrent use.
type Walker struct {
	dir      string
	buf      [1024]byte // one stat line: about 300 bytes
	path     []byte
	procs    []Proc
	seen     []bool
	queue    []int
	fullScan bool // always scan all of /proc (tests compare the two ways)
}

// NewWalker returns a walker of this machine's /proc.
func NewWalker() *Walker { return NewWalkerAt("/proc") }

// NewWalkerAt returns a walker of the proc file system mounted at dir (tests
// point it at a fixture).
func NewWalkerAt(dir string) *Walker { return &Walker{dir: dir} }

// Walk calls visit with the stat of root and of every process of its tree, once
// each: root first, then breadth first, the children of one process by
// ascending pid. Zombies of the tree are visited (they keep their CPU times
// until reaped) but have no children. Where the kernel lists each thread's
// children (/proc/PID/task/TID/children) it walks down from root reading only
// the tree's own files, so its cost follows the tree and not the machine (with
// 1,000 other processes a full pass costs 15 ms); elsewhere it makes one pass
// over /proc/*/stat, then a walk down the parent links from root. Processes
// that vanish while /proc is read are skipped; so are processes whose stat
// cannot be read for another reason (a /proc mounted with hidepid), unless it
// is root's. It returns an error wrapping ErrNoProcess when root does not
// exist or has exited, and then visits nothing.
func (w *Walker) Walk(root int, visit func(Proc)) error {
	if root <= 0 {
		return noProcess(root)
	}
	if !w.fullScan {
		if ok, err := w.walkChildren(root, visit); ok {
			return err
		}
	}
	if err := w.scan(root); err != nil {
		return err
	}
	r := slices.IndexFunc(w.procs, func(s Proc) bool { return s.PID == root })
	if r < 0 || !w.procs[r].Alive() {
		return noProcess(root)
	}
	// Children of a pid are a contiguous run once sorted by (ppid, pid).
	slices.SortFunc(w.procs, func(a, b Proc) int {
		return cmp.Or(cmp.Compare(a.PPID, b.PPID), cmp.Compare(a.PID, b.PID))
	})
	r = slices.IndexFunc(w.procs, func(s Proc) bool { return s.PID == root })
	w.seen = slices.Grow(w.seen[:0], len(w.procs))[:len(w.procs)]
	clear(w.seen)
	w.queue = append(w.queue[:0], r)
	w.seen[r] = true
	for head := 0; head < len(w.queue); head++ {
		st := w.procs[w.queue[head]]
		visit(st)
		if !st.Alive() {
			continue
		}
		first := sort.Search(len(w.procs), func(i int) bool { return w.procs[i].PPID >= st.PID })
		for i := first; i < len(w.procs) && w.procs[i].PPID == st.PID; i++ {
			// A snapshot read over time is not atomic: guard against a pid
			// reused mid-read that would make a cycle.
			if !w.seen[i] {
				w.seen[i] = true
				w.queue = append(w.queue, i)
			}
		}
	}
	return nil
}

// scan reads the stat of every process in /proc into w.procs. A read error on
// root other than its vanishing is returned; other processes' errors are not.
func (w *Walker) scan(root int) error {
	d, err := os.Open(w.dir)
	if err != nil {
		return fmt.Errorf("list processes: %w", err)
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return fmt.Errorf("list processes: %w", err)
	}
	w.procs = w.procs[:0]
	for _, name := range names {
		if name == "" || name[0] < '0' || name[0] > '9' {
			continue
		}
		pid, err := strconv.Atoi(name)
		if err != nil {
			continue
		}
		st, err := w.Stat(pid)
		if err != nil {
			if pid == root && !vanished(err) {
				return fmt.Errorf("process %d: %w", root, err)
			}
			continue
		}
		w.procs = append(w.procs, st)
	}
	return nil
}

// walkChildren walks the tree of root through the kernel's children lists. ok
// is false when the kernel has none (CONFIG_PROC_CHILDREN off, or a fixture),
// and the caller falls back to a full scan.
func (w *Walker) walkChildren(root int, visit func(Proc)) (ok bool, err error) {
	if _, err := os.Stat(fmt.Sprintf("%s/%d/task/%d/children", w.dir, root, root)); err != nil {
		return false, nil // no children lists, or no root: the full scan says which
	}
	st, err := w.Stat(root)
	if err != nil {
		if vanished(err) {
			return true, noProcess(root)
		}
		return true, fmt.Errorf("process %d: %w", root, err)
	}
	if !st.Alive() {
		return true, noProcess(root)
	}
	seen := map[int]bool{root: true}
	parent := map[int]int{}
	queue := []int{root}
	for head := 0; head < len(queue); head++ {
		pid := queue[head]
		if head > 0 {
			if st, err = w.Stat(pid); err != nil {
				continue // vanished, or unreadable: skipped as in a full scan
			}
			if st.PPID != parent[pid] {
				continue // ended after its parent's list was read, and the pid reused
			}
		}
		visit(st)
		if !st.Alive() {
			continue
		}
		kids := w.children(pid)
		slices.Sort(kids)
		for _, k := range kids {
			if !seen[k] {
				seen[k] = true
				parent[k] = pid
				queue = append(queue, k)
			}
		}
	}
	return true, nil
}

// children lists the children of every thread of pid.
func (w *Walker) children(pid int) []int {
	tasks, err := os.ReadDir(fmt.Sprintf("%s/%d/task", w.dir, pid))
	if err != nil {
		return nil
	}
	var out []int
	for _, t := range tasks {
		data, err := os.ReadFile(fmt.Sprintf("%s/%d/task/%s/children", w.dir, pid, t.Name()))
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(data)) {
			if k, err := strconv.Atoi(f); err == nil {
				out = append(out, k)
			}
		}
	}
	return out
}
