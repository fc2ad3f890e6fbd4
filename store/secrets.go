package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// Secret returns the random 32-byte secret called name, creating it on
// first use. Every instance on one database gets the same value: the insert
// of a unique _id decides which of two first instances made it.
func Secret(ctx context.Context, db *mongo.Database, name string) ([]byte, error) {
	coll := db.Collection("secrets")
	var d struct {
		Value []byte `bson:"value"`
	}
	err := coll.FindOne(ctx, bson.M{"_id": name}).Decode(&d)
	if err == nil && len(d.Value) == 32 {
		return d.Value, nil
	}
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, fmt.Errorf("read secret %s: %w", name, err)
	}
	v := make([]byte, 32)
	if _, err := rand.Read(v); err != nil {
		return nil, err
	}
	_, err = coll.InsertOne(ctx, bson.M{"_id": name, "value": v})
	if mongo.IsDuplicateKeyError(err) {
		return Secret(ctx, db, name)
	}
	if err != nil {
		return nil, fmt.Errorf("create secret %s: %w", name, err)
	}
	return v, nil
}
