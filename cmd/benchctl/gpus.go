package main

import (
	"fmt"
	"strconv"

	"github.com/urfave/cli/v2"

	"github.com/benchctl/benchctl/internal/format"
	"github.com/benchctl/benchctl/internal/table"
	"github.com/benchctl/benchctl/probes"
)

func gpusCommand() *cli.Command {
	return &cli.Command{
		Name:  "gpus",
		Usage: "list the GPUs the backend sees, or say why it sees none",
		Flags: gpuFlags(),
		Action: func(c *cli.Context) error {
			b, _, err := openBackend(c)
			if err != nil {
				return err
			}
			defer b.Close()
			devs := b.Devices()
			if len(devs) == 0 {
				reason := "no GPUs"
				if nb, ok := b.(*probes.NoneBackend); ok {
					reason = nb.Reason
				}
				return &exitError{code: exitFailed, err: fmt.Errorf("no GPUs seen: %s", reason)}
			}
			fmt.Printf("backend: %s\n", b.Name())
			tb := table.Table{Header: []string{"INDEX", "NAME", "UUID", "MEMORY", "DRIVER", "CUDA", "ACCOUNTING"}}
			for _, d := range devs {
				acc := "no"
				if d.AccountingOK {
					acc = "yes"
				}
				if d.AccountingWhy != "" {
					acc += " (" + d.AccountingWhy + ")"
				}
				tb.Rows = append(tb.Rows, []string{strconv.Itoa(d.Index), d.Name, d.UUID,
					format.Bytes(d.MemoryTotal), d.Driver, d.CUDA, acc})
			}
			_, err = fmt.Print(tb.Text(""))
			return err
		},
	}
}
