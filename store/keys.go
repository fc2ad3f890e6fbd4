package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Keys maps a unique natural key (an e-mail address, a KvK number) to the id
// of the record that owns it. It lets a record be found by that key with an
// _id lookup, the one query FerretDB answers without a scan.
type Keys struct {
	coll *mongo.Collection
}

// NewKeys returns the key collection called name.
func NewKeys(db *mongo.Database, name string) *Keys {
	return &Keys{coll: db.Collection(name)}
}

// Name is the key collection's name.
func (k *Keys) Name() string { return k.coll.Name() }

// ErrKeyTaken is returned by Claim when another owner holds the key.
var ErrKeyTaken = errors.New("key taken")

type keyDoc struct {
	Key     string    `bson:"_id"`
	Owner   string    `bson:"owner"`
	Claimed time.Time `bson:"claimed_at"`
}

// Claim records key as owned by owner. Claiming a key one already owns
// succeeds, so a step that claims can be re-run after a crash.
func (k *Keys) Claim(ctx context.Context, key, owner string) error {
	_, err := k.coll.InsertOne(ctx, keyDoc{Key: key, Owner: owner, Claimed: time.Now().UTC()})
	if err == nil {
		return nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("claim key: %w", err)
	}
	cur, err := k.Owner(ctx, key)
	if err != nil {
		return err
	}
	if cur != owner {
		return ErrKeyTaken
	}
	return nil
}

// Move hands key to a new owner, whoever held it; used to repair a key
// whose owner no longer exists.
func (k *Keys) Move(ctx context.Context, key, owner string) error {
	_, err := k.coll.ReplaceOne(ctx, bson.M{"_id": key}, keyDoc{Key: key, Owner: owner, Claimed: time.Now().UTC()}, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("move key: %w", err)
	}
	return nil
}

// Owner returns the owner of key, or "" when nobody holds it.
func (k *Keys) Owner(ctx context.Context, key string) (string, error) {
	var d keyDoc
	err := k.coll.FindOne(ctx, bson.M{"_id": key}).Decode(&d)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("find key: %w", err)
	}
	return d.Owner, nil
}

// Release removes key if owner holds it.
func (k *Keys) Release(ctx context.Context, key, owner string) error {
	_, err := k.coll.DeleteOne(ctx, bson.M{"_id": key, "owner": owner})
	if err != nil {
		return fmt.Errorf("release key: %w", err)
	}
	return nil
}
