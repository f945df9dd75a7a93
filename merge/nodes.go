package merge

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"sort"
	"strings"

	"github.com/benchctl/benchctl/result"
)

// nodeSet collects the nodes of a merge: a node is a name and the set of GPU
// UUIDs a run saw there, so two tasks given different GPUs of one node are
// two nodes, told apart in their IDs.
type nodeSet struct {
	byKey map[string]*result.Node
	order []string // keys, first seen first
}

func newNodeSet() *nodeSet { return &nodeSet{byKey: map[string]*result.Node{}} }

// nodeKey identifies a node: its name and its sorted GPU UUIDs.
func nodeKey(name string, env result.Environment) string {
	return name + "\x00" + strings.Join(sortedUUIDs(env), ",")
}

func sortedUUIDs(env result.Environment) []string {
	uuids := make([]string, 0, len(env.GPUs))
	for _, g := range env.GPUs {
		uuids = append(uuids, g.UUID)
	}
	sort.Strings(uuids)
	return uuids
}

// add records a node; the first environment seen for it is kept.
func (s *nodeSet) add(name string, env result.Environment) {
	key := nodeKey(name, env)
	if _, ok := s.byKey[key]; ok {
		return
	}
	s.byKey[key] = &result.Node{Name: name, GPUUUIDs: sortedUUIDs(env), Environment: env}
	s.order = append(s.order, key)
}

// assignIDs names every node: by its name alone where that name has one GPU
// set, else by its name and a short hash of its UUIDs. It returns the IDs by
// key.
func (s *nodeSet) assignIDs() map[string]string {
	sets := map[string]int{}
	for _, key := range s.order {
		sets[s.byKey[key].Name]++
	}
	ids := make(map[string]string, len(s.order))
	for _, key := range s.order {
		n := s.byKey[key]
		n.ID = n.Name
		if sets[n.Name] > 1 {
			sum := sha256.Sum256([]byte(strings.Join(n.GPUUUIDs, ",")))
			n.ID += "/" + hex.EncodeToString(sum[:])[:8]
		}
		ids[key] = n.ID
	}
	return ids
}

// list returns the nodes sorted by ID.
func (s *nodeSet) list() []result.Node {
	out := make([]result.Node, 0, len(s.order))
	for _, key := range s.order {
		out = append(out, *s.byKey[key])
	}
	slices.SortFunc(out, func(a, b result.Node) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// addCarried adds the nodes of merged results given again, unless a node of
// that ID is already there, and keeps the list sorted.
func addCarried(nodes []result.Node, carried map[string]result.Node) []result.Node {
	have := map[string]bool{}
	for _, n := range nodes {
		have[n.ID] = true
	}
	for id, n := range carried {
		if !have[id] {
			nodes = append(nodes, n)
		}
	}
	slices.SortFunc(nodes, func(a, b result.Node) int { return strings.Compare(a.ID, b.ID) })
	return nodes
}
