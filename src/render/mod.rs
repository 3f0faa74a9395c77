//! Agreement documents: the words and numbers contracts are written in. (The template
//! environment comes with the agreement work; these functions become its filters.)

pub mod numerals;
