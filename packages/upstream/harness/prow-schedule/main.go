// Command prow-schedule answers, for each line on stdin, whether Prow's parsers accept it:
// "cron <spec>" through gopkg.in/robfig/cron.v2's Parse (what pkg/config/config.go calls on
// a periodic's cron), "duration <value>" through time.ParseDuration (timeouts, intervals).
// It prints "ok" or "refused" per line. Ours; built against the version Prow pins.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"time"

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
