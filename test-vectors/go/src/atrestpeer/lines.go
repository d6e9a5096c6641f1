package atrestpeer

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// RunLines is a line-serving program's main: ServeLines over standard input and output; an I/O
// error is printed to standard error and the process exits 1.
func RunLines(name string, answer func(line []byte) interface{}) {
	if err := ServeLines(name, os.Stdin, os.Stdout, answer); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// ServeLines is the request loop of the peer's command-line programs: one JSON request per line
// on in, one JSON answer per line on out, in order, until in ends. Blank lines are skipped.
// answer must not fail; what it returns is JSON-encoded as it is (HTML characters unescaped).
// Lines are read with ReadBytes, not a Scanner, so a line holding a large value has no length
// limit. An error reading in or writing out is returned, prefixed with name, for the program to
// print and exit on.
func ServeLines(name string, in io.Reader, out io.Writer, answer func(line []byte) interface{}) error {
	r := bufio.NewReaderSize(in, 1<<20)
	w := bufio.NewWriterSize(out, 1<<20)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 && !isBlank(line) {
			if encErr := enc.Encode(answer(line)); encErr != nil {
				return fmt.Errorf("%s: writing answer: %v", name, encErr)
			}
			if flushErr := w.Flush(); flushErr != nil {
				return fmt.Errorf("%s: writing answer: %v", name, flushErr) // the reader went away
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: reading request: %v", name, err)
		}
	}
}

func isBlank(line []byte) bool {
	for _, c := range line {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}
