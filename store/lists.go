package store

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// List documents are how the platform answers a list with one _id read
// (FerretDB scans on any other filter): {_id: owner, entries: {key:
// value}}, each value an encoded summary.

// UpdateList applies fn to the entries of coll's list document owner
// (empty when there is none) and saves them conditionally on the version
// read (Versions.Update, re-applied after a clash), under this process's
// lock of the document, so that concurrent writers — other instances
// included — lose no entry.
func UpdateList(ctx context.Context, v *Versions, locks *Locks, coll *mongo.Collection, owner string, fn func(entries bson.M)) error {
	unlock := locks.Lock(coll.Name() + ":" + owner)
	defer unlock()
	_, err := v.Update(ctx, coll, owner, func(doc bson.M) (bson.M, error) {
		if doc == nil {
			doc = bson.M{}
		}
		entries, _ := doc["entries"].(bson.M)
		if entries == nil {
			entries = bson.M{}
		}
		fn(entries)
		doc["entries"] = entries
		return doc, nil
	})
	if err != nil {
		return fmt.Errorf("list %s/%s: %w", coll.Name(), owner, err)
	}
	return nil
}

// SetListEntry sets one entry of a list document, or removes it when value
// is empty.
func SetListEntry(ctx context.Context, v *Versions, locks *Locks, coll *mongo.Collection, owner, key, value string) error {
	return UpdateList(ctx, v, locks, coll, owner, func(e bson.M) {
		if value == "" {
			delete(e, key)
		} else {
			e[key] = value
		}
	})
}

// ListEntries reads a list document's entries (none when it does not exist).
func ListEntries(ctx context.Context, coll *mongo.Collection, owner string) (map[string]string, error) {
	var d struct {
		Entries map[string]string `bson:"entries"`
	}
	err := coll.FindOne(ctx, bson.M{"_id": owner}).Decode(&d)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, fmt.Errorf("list %s/%s: %w", coll.Name(), owner, err)
	}
	return d.Entries, nil
}
