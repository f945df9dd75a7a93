package host

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// TreeSample is one reading of a process tree.
type TreeSample struct {
	// PIDs lists the tree's live processes, root first, in the order Tree gives.
	PIDs []int
	// CPUSeconds is the user plus system CPU time (utime+stime) of the tree's
	// processes, in seconds. Zombies of the tree are counted: a zombie keeps its
	// times until its parent reaps it. A process that has been reaped is gone
	// from /proc and its time with it; see ChildCPUSeconds.
	CPUSeconds float64
	// ChildCPUSeconds is the cutime+cstime of the tree's processes: the CPU time
	// of descendants that already exited and were reaped by a process of the
	// tree. CPUSeconds+ChildCPUSeconds is the tree's CPU time including children
	// that are gone, except those reaped outside the tree (orphans re-parented
	// to init or a subreaper, or children of a parent that ignores SIGCHLD).
	ChildCPUSeconds float64
	// RSSBytes is the sum of the resident set sizes of the live processes
	// (VmRSS, the same counter as statm's resident, times the page size).
	// Pages shared between processes are counted once per process, as ps does.
	RSSBytes uint64
}

// Probe reads process trees from /proc. It keeps its buffers between calls so
// that sampling a tree ten times a second allocates little. A Probe is not safe
// for concurrent use; the sampler calls it from one goroutine.
type Probe struct {
	dir      string
	pageSize uint64
	buf      [1024]byte // one stat line: about 300 bytes
	path     []byte
	procs    []procStat
	seen     []bool
	queue    []int
	fullScan bool // always scan all of /proc (tests compare the two ways)
}

// NewProbe returns a probe of this machine's /proc.
func NewProbe() *Probe { return newProbe("/proc") }

// newProbe returns a probe of the proc file system mounted at dir (tests point
// it at a fixture).
func newProbe(dir string) *Probe {
	return &Probe{dir: dir, pageSize: uint64(os.Getpagesize())}
}

// Sample reads the tree of root once. Where the kernel lists each thread's
// children (/proc/PID/task/TID/children) it walks down from root reading only
// the tree's own files, so its cost follows the tree and not the machine (with
// 1,000 other processes a full pass costs 15 ms); elsewhere it makes one pass
// over /proc/*/stat, then a walk down the parent links from root. Processes that vanish while /proc is read
// are skipped; so are processes whose stat cannot be read for another reason
// (a /proc mounted with hidepid), unless it is root's. It returns an error
// wrapping ErrNoProcess when root does not exist or has exited.
func (p *Probe) Sample(root int) (TreeSample, error) {
	if root <= 0 {
		return TreeSample{}, noProcess(root)
	}
	if ts, ok, err := p.walkChildren(root); ok && !p.fullScan {
		return ts, err
	}
	if err := p.scan(root); err != nil {
		return TreeSample{}, err
	}
	r := slices.IndexFunc(p.procs, func(s procStat) bool { return s.pid == root })
	if r < 0 || !p.procs[r].alive() {
		return TreeSample{}, noProcess(root)
	}
	// Children of a pid are a contiguous run once sorted by (ppid, pid).
	slices.SortFunc(p.procs, func(a, b procStat) int {
		return cmp.Or(cmp.Compare(a.ppid, b.ppid), cmp.Compare(a.pid, b.pid))
	})
	r = slices.IndexFunc(p.procs, func(s procStat) bool { return s.pid == root })
	p.seen = slices.Grow(p.seen[:0], len(p.procs))[:len(p.procs)]
	clear(p.seen)
	p.queue = append(p.queue[:0], r)
	p.seen[r] = true
	var ts TreeSample
	var ticks, childTicks uint64
	for head := 0; head < len(p.queue); head++ {
		st := p.procs[p.queue[head]]
		ticks += st.utime + st.stime
		childTicks += st.cutime + st.cstime
		if !st.alive() {
			continue
		}
		ts.PIDs = append(ts.PIDs, st.pid)
		ts.RSSBytes += st.rssPages * p.pageSize
		first := sort.Search(len(p.procs), func(i int) bool { return p.procs[i].ppid >= st.pid })
		for i := first; i < len(p.procs) && p.procs[i].ppid == st.pid; i++ {
			// A snapshot read over time is not atomic: guard against a pid
			// reused mid-read that would make a cycle.
			if !p.seen[i] {
				p.seen[i] = true
				p.queue = append(p.queue, i)
			}
		}
	}
	hz := clockTicks()
	ts.CPUSeconds = float64(ticks) / hz
	ts.ChildCPUSeconds = float64(childTicks) / hz
	return ts, nil
}

// scan reads the stat of every process in /proc into p.procs. A read error on
// root other than its vanishing is returned; other processes' errors are not.
func (p *Probe) scan(root int) error {
	d, err := os.Open(p.dir)
	if err != nil {
		return fmt.Errorf("list processes: %w", err)
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return fmt.Errorf("list processes: %w", err)
	}
	p.procs = p.procs[:0]
	for _, name := range names {
		if name == "" || name[0] < '0' || name[0] > '9' {
			continue
		}
		pid, err := strconv.Atoi(name)
		if err != nil {
			continue
		}
		st, err := p.readStat(pid)
		if err != nil {
			if pid == root && !vanished(err) {
				return fmt.Errorf("process %d: %w", root, err)
			}
			continue
		}
		p.procs = append(p.procs, st)
	}
	return nil
}

// walkChildren reads the tree of root through the kernel's children lists. ok
// is false when the kernel has none (CONFIG_PROC_CHILDREN off, or a fixture),
// and the caller falls back to a full scan.
func (p *Probe) walkChildren(root int) (ts TreeSample, ok bool, err error) {
	if _, err := os.Stat(fmt.Sprintf("%s/%d/task/%d/children", p.dir, root, root)); err != nil {
		return TreeSample{}, false, nil // no children lists, or no root: the full scan says which
	}
	st, err := p.readStat(root)
	if err != nil {
		if vanished(err) {
			return TreeSample{}, true, noProcess(root)
		}
		return TreeSample{}, true, fmt.Errorf("process %d: %w", root, err)
	}
	if !st.alive() {
		return TreeSample{}, true, noProcess(root)
	}
	seen := map[int]bool{root: true}
	queue := []int{root}
	var ticks, childTicks uint64
	for head := 0; head < len(queue); head++ {
		pid := queue[head]
		if head > 0 {
			if st, err = p.readStat(pid); err != nil {
				continue // vanished, or unreadable: skipped as in a full scan
			}
		}
		ticks += st.utime + st.stime
		childTicks += st.cutime + st.cstime
		if !st.alive() {
			continue
		}
		ts.PIDs = append(ts.PIDs, pid)
		ts.RSSBytes += st.rssPages * p.pageSize
		kids := p.children(pid)
		slices.Sort(kids)
		for _, k := range kids {
			if !seen[k] {
				seen[k] = true
				queue = append(queue, k)
			}
		}
	}
	hz := clockTicks()
	ts.CPUSeconds = float64(ticks) / hz
	ts.ChildCPUSeconds = float64(childTicks) / hz
	return ts, true, nil
}

// children lists the children of every thread of pid.
func (p *Probe) children(pid int) []int {
	tasks, err := os.ReadDir(fmt.Sprintf("%s/%d/task", p.dir, pid))
	if err != nil {
		return nil
	}
	var out []int
	for _, t := range tasks {
		data, err := os.ReadFile(fmt.Sprintf("%s/%d/task/%s/children", p.dir, pid, t.Name()))
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
