// Command schedules answers, for each line on stdin, whether a parser accepts it:
// "cron <spec>" through gopkg.in/robfig/cron.v2's Parse (what Prow's pkg/config/config.go
// calls on a periodic's cron), "kube-cron <spec>" through github.com/robfig/cron/v3's
// ParseStandard with the rule validateScheduleFormat adds on create (no TZ in the schedule;
// pkg/apis/batch/validation of Kubernetes), "duration <value>" through time.ParseDuration
// (Prow's timeouts and intervals). It prints "ok" or "refused" per line. Ours.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	cronv3 "github.com/robfig/cron/v3"
	cron "gopkg.in/robfig/cron.v2"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		kind, value, _ := strings.Cut(in.Text(), " ")
		var err error
		switch kind {
		case "cron":
			_, err = cron.Parse(value)
		case "kube-cron":
			_, err = cronv3.ParseStandard(value)
			if err == nil && strings.Contains(value, "TZ") {
				err = errors.New("cannot use TZ or CRON_TZ in schedule")
			}
		case "duration":
			_, err = time.ParseDuration(value)
		default:
			err = fmt.Errorf("unknown kind %q", kind)
		}
		if err != nil {
			fmt.Println("refused")
		} else {
			fmt.Println("ok")
		}
	}
}
