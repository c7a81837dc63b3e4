// Command interop-go exercises edge-namesrv with the Apache rocketmq-client-go v2 library.
//
//	interop-go produce <namesrvAddr> <topic> <group> <count> <prefix>
//	interop-go consume <namesrvAddr> <topic> <group> <expected> <prefix> <timeoutMs>
//
// produce sends messages whose key and body are "<prefix>-<i>" and prints "SENT <key>" per message.
// consume push-consumes from the first offset, prints "READY", then "RECV <key> <body>" once per
// distinct key, and exits 0 when all expected keys arrived (1 on timeout).
//
// With INTEROP_ACCESS_KEY and INTEROP_SECRET_KEY in the environment, both sign every request
// (NameServer and broker) with them (primitive.Credentials, the client's ACL interceptor).
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	"github.com/apache/rocketmq-client-go/v2/rlog"
)

func main() {
	rlog.SetLogLevel("warn")
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "produce":
		if len(os.Args) != 7 {
			usage()
		}
		os.Exit(produce(os.Args[2], os.Args[3], os.Args[4], atoi(os.Args[5]), os.Args[6]))
	case "consume":
		if len(os.Args) != 8 {
			usage()
		}
		os.Exit(consume(os.Args[2], os.Args[3], os.Args[4], atoi(os.Args[5]), os.Args[6], time.Duration(atoi(os.Args[7]))*time.Millisecond))
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: interop-go produce <namesrv> <topic> <group> <count> <prefix>")
	fmt.Fprintln(os.Stderr, "       interop-go consume <namesrv> <topic> <group> <expected> <prefix> <timeoutMs>")
	os.Exit(2)
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		fmt.Fprintln(os.Stderr, "not a number:", s)
		os.Exit(2)
	}
	return n
}

// credentials from the environment; ok is false when they are not set (unsigned requests).
func credentials() (primitive.Credentials, bool) {
	c := primitive.Credentials{AccessKey: os.Getenv("INTEROP_ACCESS_KEY"), SecretKey: os.Getenv("INTEROP_SECRET_KEY")}
	return c, c.AccessKey != "" && c.SecretKey != ""
}

func produce(namesrv, topic, group string, count int, prefix string) int {
	opts := []producer.Option{
		producer.WithNsResolver(primitive.NewPassthroughResolver([]string{namesrv})),
		producer.WithGroupName(group),
		producer.WithRetry(4),
		producer.WithSendMsgTimeout(10 * time.Second),
	}
	if c, ok := credentials(); ok {
		opts = append(opts, producer.WithCredentials(c))
	}
	p, err := rocketmq.NewProducer(opts...)
	if err != nil {
		fmt.Println("ERROR new producer:", err)
		return 1
	}
	if err := p.Start(); err != nil {
		fmt.Println("ERROR start producer:", err)
		return 1
	}
	defer p.Shutdown()

	failed := 0
	for i := 0; i < count; i++ {
		key := fmt.Sprintf("%s-%d", prefix, i)
		msg := primitive.NewMessage(topic, []byte(key))
		msg.WithKeys([]string{key})
		msg.WithTag("interop")
		res, err := p.SendSync(context.Background(), msg)
		switch {
		case err != nil:
			failed++
			fmt.Println("FAILED", key, err)
		case res.Status != primitive.SendOK:
			failed++
			fmt.Println("FAILED", key, res.Status)
		default:
			fmt.Println("SENT", key, res.MessageQueue.BrokerName, res.MessageQueue.QueueId)
		}
	}
	fmt.Printf("DONE sent=%d failed=%d\n", count-failed, failed)
	if failed > 0 {
		return 1
	}
	return 0
}

func consume(namesrv, topic, group string, expected int, prefix string, timeout time.Duration) int {
	opts := []consumer.Option{
		consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{namesrv})),
		consumer.WithGroupName(group),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset),
	}
	if creds, ok := credentials(); ok {
		opts = append(opts, consumer.WithCredentials(creds))
	}
	c, err := rocketmq.NewPushConsumer(opts...)
	if err != nil {
		fmt.Println("ERROR new consumer:", err)
		return 1
	}

	var mu sync.Mutex
	seen := map[string]bool{}
	all := make(chan struct{})
	err = c.Subscribe(topic, consumer.MessageSelector{}, func(_ context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range msgs {
			key := m.GetKeys()
			if !strings.HasPrefix(key, prefix+"-") || seen[key] {
				continue
			}
			seen[key] = true
			fmt.Println("RECV", key, string(m.Body))
			if len(seen) == expected {
				close(all)
			}
		}
		return consumer.ConsumeSuccess, nil
	})
	if err != nil {
		fmt.Println("ERROR subscribe:", err)
		return 1
	}
	if err := c.Start(); err != nil {
		fmt.Println("ERROR start consumer:", err)
		return 1
	}
	fmt.Println("READY")

	code := 0
	select {
	case <-all:
	case <-time.After(timeout):
		code = 1
	}
	_ = c.Shutdown()
	mu.Lock()
	fmt.Printf("DONE received=%d expected=%d\n", len(seen), expected)
	mu.Unlock()
	return code
}
